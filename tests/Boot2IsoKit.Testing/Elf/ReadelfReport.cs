using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Elf;

/// <summary>
/// What binutils' readelf says about a file (`readelf -h -l -d -V -W`), parsed into the same shape as
/// Boot2IsoKit.Formats.Elf.ElfFile, so tests can compare an independent reader with ours.
/// </summary>
internal sealed partial record ReadelfReport(
    string Class,
    string ByteOrder,
    string Machine,
    string? Interpreter,
    bool HasDynamicSection,
    IReadOnlyList<string> Needed,
    string? Soname,
    string? RPath,
    string? RunPath,
    IReadOnlyList<(string File, IReadOnlyList<string> Versions)> VersionNeeds,
    IReadOnlyList<(string Name, IReadOnlyList<string> Parents)> VersionDefinitions,
    long? DynamicOffset,
    IReadOnlyList<string> DynamicTags)
{
    public static async Task<ReadelfReport> ReadAsync(string path, CancellationToken cancellationToken = default)
    {
        var result = await ExternalTool.RunCheckedAsync("readelf", ["-h", "-l", "-d", "-V", "-W", path], cancellationToken: cancellationToken).ConfigureAwait(false);
        return Parse(result.StandardOutput);
    }

    public static ReadelfReport Parse(string output)
    {
        string Header(string name) => Regex.Match(output, $@"^\s*{name}:\s+(.*)$", RegexOptions.Multiline).Groups[1].Value.Trim();
        string? Bracket(string label) => Regex.Match(output, $@"\({label}\)\s+[^\[]*\[(.*)\]\s*$", RegexOptions.Multiline) is { Success: true } m ? m.Groups[1].Value : null;

        var interpreter = InterpreterPattern().Match(output);
        var needed = NeededPattern().Matches(output).Select(m => m.Groups[1].Value).ToList();
        var dynamicHeader = DynamicHeaderPattern().Match(output);
        var tags = DynamicTagPattern().Matches(output).Select(m => m.Groups[1].Value).ToList();

        var needs = new List<(string, IReadOnlyList<string>)>();
        var definitions = new List<(string, IReadOnlyList<string>)>();
        var section = "";
        List<string>? current = null;
        foreach (var line in output.Split('\n'))
        {
            if (line.StartsWith("Version needs section", StringComparison.Ordinal))
            {
                section = "needs";
                continue;
            }

            if (line.StartsWith("Version definition section", StringComparison.Ordinal))
            {
                section = "defs";
                continue;
            }

            if (line.Length > 0 && !char.IsWhiteSpace(line[0]))
            {
                section = "";
                continue;
            }

            if (section == "needs")
            {
                if (VerneedFilePattern().Match(line) is { Success: true } file)
                {
                    current = [];
                    needs.Add((file.Groups[1].Value, current));
                }
                else if (VernauxPattern().Match(line) is { Success: true } aux && current is not null)
                {
                    current.Add(aux.Groups[1].Value);
                }
            }
            else if (section == "defs")
            {
                if (VerdefPattern().Match(line) is { Success: true } def)
                {
                    current = [];
                    definitions.Add((def.Groups[1].Value, current));
                }
                else if (ParentPattern().Match(line) is { Success: true } parent && current is not null)
                {
                    current.Add(parent.Groups[1].Value);
                }
            }
        }

        return new ReadelfReport(
            Header("Class"),
            Header("Data"),
            Header("Machine"),
            interpreter.Success ? interpreter.Groups[1].Value : null,
            !output.Contains("There is no dynamic section in this file.", StringComparison.Ordinal) && dynamicHeader.Success,
            needed,
            Bracket("SONAME"),
            Bracket("RPATH"),
            Bracket("RUNPATH"),
            needs,
            definitions,
            dynamicHeader.Success ? long.Parse(dynamicHeader.Groups[1].Value, NumberStyles.HexNumber, CultureInfo.InvariantCulture) : null,
            tags);
    }

    [GeneratedRegex(@"\[Requesting program interpreter: (.*)\]")]
    private static partial Regex InterpreterPattern();

    [GeneratedRegex(@"\(NEEDED\)\s+Shared library: \[(.*)\]")]
    private static partial Regex NeededPattern();

    [GeneratedRegex(@"^Dynamic section at offset 0x([0-9a-f]+) contains", RegexOptions.Multiline)]
    private static partial Regex DynamicHeaderPattern();

    [GeneratedRegex(@"^\s*0x[0-9a-f]+ \(([A-Za-z_0-9]+)\)", RegexOptions.Multiline)]
    private static partial Regex DynamicTagPattern();

    [GeneratedRegex(@"^\s*[0-9a-fx]+: Version: \d+\s+File: (\S+)\s+Cnt:")]
    private static partial Regex VerneedFilePattern();

    [GeneratedRegex(@"^\s*0x[0-9a-f]+:\s+Name: (\S+)\s+Flags:")]
    private static partial Regex VernauxPattern();

    [GeneratedRegex(@"^\s*[0-9a-fx]+: Rev: \d+\s+Flags: .*Index: \d+\s+Cnt: \d+\s+Name: (\S+)")]
    private static partial Regex VerdefPattern();

    [GeneratedRegex(@"^\s*0x[0-9a-f]+: Parent \d+: (\S+)")]
    private static partial Regex ParentPattern();
}
