namespace Boot2IsoKit.Tests.Fuzz;

/// <summary>
/// Replays the kept corpus: inputs that once broke a reader, one case per file under Corpus/&lt;reader&gt;/.
/// Each must still end in a valid result or the reader's typed error (readers nothing ever broke have none).
/// </summary>
public sealed class CorpusReplayTests
{
    /// <summary>Corpus files stay small so the repository does not carry images.</summary>
    private const long MaxCorpusFile = 64 * 1024;

    public static TheoryData<string, string> CorpusFiles()
    {
        var data = new TheoryData<string, string>();
        foreach (var reader in FuzzTargets.ByName.Keys.Order(StringComparer.Ordinal))
        {
            var directory = FuzzHarness.CorpusDirectory(reader);
            if (Directory.Exists(directory))
            {
                foreach (var file in Directory.EnumerateFiles(directory).Select(Path.GetFileName).Order(StringComparer.Ordinal))
                {
                    data.Add(reader, file!);
                }
            }
        }

        return data;
    }

    [Theory]
    [MemberData(nameof(CorpusFiles))]
    public async Task Corpus_input_ends_in_a_result_or_a_typed_error(string reader, string file)
    {
        var path = Path.Combine(FuzzHarness.CorpusDirectory(reader), file);
        var input = await File.ReadAllBytesAsync(path, TestContext.Current.CancellationToken);
        Assert.True(input.Length <= MaxCorpusFile, $"{path} is {input.Length} bytes; keep corpus files under {MaxCorpusFile}");

        var result = await FuzzHarness.RunCaseAsync(FuzzTargets.ByName[reader], input, $"corpus file {file}");

        Assert.True(result.Failure is null, result.Failure);
    }
}
