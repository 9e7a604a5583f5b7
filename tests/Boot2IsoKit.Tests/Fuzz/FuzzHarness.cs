using System.Globalization;
using System.Security.Cryptography;
using Boot2IsoKit.Testing.Fixtures;

namespace Boot2IsoKit.Tests.Fuzz;

/// <summary>
/// A reader under fuzz: <see cref="Read"/> parses an input completely (touching everything a caller
/// would) and returns a short summary; <see cref="IsTyped"/> says whether an exception is one of the
/// errors the reader documents for bad input (<see cref="TypedErrors"/> names them for messages).
/// </summary>
internal sealed record FuzzTarget(string Name, string TypedErrors, Func<Exception, bool> IsTyped, Func<byte[], string> Read);

/// <summary>A reader returned a result that breaks its own contract (an escaped path, an inconsistent tree).</summary>
internal sealed class FuzzInvariantException(string message) : Exception(message);

/// <summary>How one case ended: a valid result, a typed error, or a failure message (which names the saved input).</summary>
internal sealed record FuzzCaseResult(bool Valid, string? Failure);

/// <summary>
/// Runs fuzz cases with guards: each case runs on a thread-pool task with a wall-clock limit (a hang
/// fails the test naming the case; the runaway task cannot be killed but no longer blocks the suite),
/// and the bytes allocated by the reader's thread are bounded (an allocation that follows a size the
/// input claims fails even when the machine had the memory). A failing input is saved under
/// artifacts/fuzz-failures so it can be kept in the corpus.
/// </summary>
internal static class FuzzHarness
{
    public const string CaseCountVariable = "B2IK_FUZZ_CASES";
    public static readonly TimeSpan CaseTimeLimit = TimeSpan.FromSeconds(10);
    public const long AllocationLimit = 512L << 20;

    /// <summary>The fixed count for CI, or <see cref="CaseCountVariable"/> to run more (or fewer) locally.</summary>
    public static int CaseCount(int defaultCount) =>
        int.TryParse(Environment.GetEnvironmentVariable(CaseCountVariable), NumberStyles.None, CultureInfo.InvariantCulture, out var count) && count > 0
            ? count
            : defaultCount;

    public static string CorpusDirectory(string reader) =>
        Path.Combine(RepositoryRoot.Find(), "tests", "Boot2IsoKit.Tests", "Fuzz", "Corpus", reader);

    /// <summary>
    /// Checks every seed reads cleanly, then runs <paramref name="defaultCases"/> mutations. Fails listing the
    /// first failures (each input saved), or when too few mutations were rejected to have tested anything.
    /// </summary>
    public static async Task RunCampaignAsync(FuzzTarget target, IReadOnlyList<FuzzSeed> seeds, int campaignSeed, int defaultCases)
    {
        foreach (var seed in seeds)
        {
            var result = await RunCaseAsync(target, seed.Bytes, $"seed {seed.Name}");
            Assert.True(result.Valid, result.Failure ?? $"the {target.Name} seed {seed.Name} is rejected: the mutations would start from a broken input");
        }

        var mutator = new Mutator(seeds, campaignSeed);
        var cases = CaseCount(defaultCases);
        var failures = new List<string>();
        var rejected = 0;
        for (var i = 0; i < cases && failures.Count < 5; i++)
        {
            var (input, description) = mutator.Case(i);
            var result = await RunCaseAsync(target, input, description);
            if (result.Failure is not null)
            {
                failures.Add(result.Failure);
            }
            else if (!result.Valid)
            {
                rejected++;
            }
        }

        TestContext.Current.TestOutputHelper?.WriteLine($"{target.Name}: {cases} cases from {seeds.Count} seeds, {rejected} rejected with {target.TypedErrors}");
        Assert.True(failures.Count == 0, string.Join(Environment.NewLine, failures));

        // Mutations the reader never notices test nothing: most must reach its checks.
        Assert.True(rejected >= cases / 5, $"only {rejected} of {cases} {target.Name} mutations were rejected; the mutations miss the structures");
    }

    /// <summary>Runs one input through the reader under the guards.</summary>
    public static async Task<FuzzCaseResult> RunCaseAsync(FuzzTarget target, byte[] input, string description)
    {
        var work = Task.Run(() =>
        {
            var before = GC.GetAllocatedBytesForCurrentThread();
            Exception? error = null;
            try
            {
                target.Read(input);
            }
#pragma warning disable CA1031 // every exception is an outcome to classify, not to let through
            catch (Exception e)
#pragma warning restore CA1031
            {
                error = e;
            }

            return (Error: error, Allocated: GC.GetAllocatedBytesForCurrentThread() - before);
        });

        (Exception? Error, long Allocated) outcome;
        try
        {
            outcome = await work.WaitAsync(CaseTimeLimit, TestContext.Current.CancellationToken);
        }
        catch (TimeoutException)
        {
            return Fail(target, input, description, $"did not finish within {CaseTimeLimit.TotalSeconds} s (hang)");
        }

        if (outcome.Allocated > AllocationLimit)
        {
            return Fail(target, input, description, $"allocated {outcome.Allocated >> 20} MiB (limit {AllocationLimit >> 20} MiB)");
        }

        return outcome.Error switch
        {
            null => new FuzzCaseResult(true, null),
            var e when target.IsTyped(e) => new FuzzCaseResult(false, null),
            var e => Fail(target, input, description, $"{e.GetType().FullName} instead of {target.TypedErrors}: {e.Message}{Environment.NewLine}{e.StackTrace}"),
        };
    }

    private static FuzzCaseResult Fail(FuzzTarget target, byte[] input, string description, string problem)
    {
        var name = Convert.ToHexStringLower(SHA256.HashData(input))[..16] + ".bin";
        var directory = Path.Combine(RepositoryRoot.Find(), "artifacts", "fuzz-failures", target.Name);
        Directory.CreateDirectory(directory);
        var path = Path.Combine(directory, name);
        File.WriteAllBytes(path, input);
        return new FuzzCaseResult(false, $"{target.Name} {description}: {problem}{Environment.NewLine}"
            + $"  input saved to {path}; once fixed, copy it into tests/Boot2IsoKit.Tests/Fuzz/Corpus/{target.Name}/ to keep it as a regression case");
    }
}
