using System.Globalization;
using System.Text.RegularExpressions;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Tests.Formats.Iso9660;

/// <summary>A listing line of an outside reader: type letter from the mode string, permissions, owner, size, link target.</summary>
internal sealed record ListedEntry(char Type, string Permissions, long Uid, long Gid, long Size, string? Target);

/// <summary>Runs xorriso, isoinfo, 7z and bsdtar on an image and parses what they list.</summary>
internal static partial class ReferenceReaders
{
    public static async Task<Dictionary<string, ListedEntry>> Xorriso(string iso)
    {
        var result = await ExternalTool.RunCheckedAsync("xorriso", ["-abort_on", "NEVER", "-indev", iso, "-find", "/", "-exec", "lsdl"]);
        AssertNoComplaints(result);
        var entries = new Dictionary<string, ListedEntry>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var m = XorrisoLine().Match(line);
            if (m.Success && m.Groups["path"].Value != "/")
            {
                entries[m.Groups["path"].Value.TrimStart('/')] = Entry(m);
            }
        }

        return entries;
    }

    public static async Task<string> XorrisoReport(string iso)
    {
        var result = await ExternalTool.RunCheckedAsync("xorriso", ["-abort_on", "NEVER", "-indev", iso, "-report_el_torito", "plain", "-report_system_area", "plain"]);
        AssertNoComplaints(result);
        return result.StandardOutput;
    }

    public static async Task<Dictionary<string, ListedEntry>> Bsdtar(string iso)
    {
        var result = await ExternalTool.RunCheckedAsync("bsdtar", ["-tvf", iso]);
        var entries = new Dictionary<string, ListedEntry>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var m = BsdtarLine().Match(line);
            if (!m.Success || m.Groups["path"].Value == ".")
            {
                continue;
            }

            var entry = Entry(m);
            var path = m.Groups["path"].Value;
            if (entry.Type == 'l')
            {
                var arrow = path.IndexOf(" -> ", StringComparison.Ordinal);
                entry = entry with { Target = path[(arrow + 4)..] };
                path = path[..arrow];
            }

            entries[path] = entry;
        }

        return entries;
    }

    /// <summary>isoinfo -l with Rock Ridge: paths rebuilt from the "Directory listing of" headers.</summary>
    public static async Task<Dictionary<string, ListedEntry>> Isoinfo(string iso, string nameOption = "-R")
    {
        var result = await ExternalTool.RunCheckedAsync("isoinfo", [nameOption, "-l", "-i", iso]);
        var entries = new Dictionary<string, ListedEntry>(StringComparer.Ordinal);
        var directory = "";
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            if (line.StartsWith("Directory listing of ", StringComparison.Ordinal))
            {
                directory = line["Directory listing of ".Length..].Trim().Trim('/');
                continue;
            }

            var m = IsoinfoLine().Match(line);
            if (!m.Success)
            {
                continue;
            }

            var name = m.Groups["path"].Value;
            var arrow = name.IndexOf(" -> ", StringComparison.Ordinal);
            string? target = null;
            if (arrow >= 0)
            {
                target = name[(arrow + 4)..];
                name = name[..arrow];
            }

            if (name is "." or ".." || name.Length == 0)
            {
                continue;
            }

            // isoinfo prints uid and gid in octal (genisoimage's dump_stat uses "%4o").
            entries[directory.Length == 0 ? name : directory + "/" + name] = Entry(m) with
            {
                Target = target,
                Uid = Convert.ToInt64(m.Groups["uid"].Value, 8),
                Gid = Convert.ToInt64(m.Groups["gid"].Value, 8),
            };
        }

        return entries;
    }

    public static async Task<string> IsoinfoDescription(string iso) =>
        (await ExternalTool.RunCheckedAsync("isoinfo", ["-d", "-R", "-i", iso])).StandardOutput;

    /// <summary>7z l: regular files and directories with sizes (7z shows no owners or modes).</summary>
    public static async Task<Dictionary<string, ListedEntry>> SevenZip(string iso)
    {
        var result = await ExternalTool.RunCheckedAsync("7z", ["l", iso]);
        var entries = new Dictionary<string, ListedEntry>(StringComparer.Ordinal);
        foreach (var line in result.StandardOutput.Split('\n'))
        {
            var m = SevenZipLine().Match(line);
            if (m.Success)
            {
                var isDirectory = m.Groups["attr"].Value.StartsWith('D');
                var size = m.Groups["size"].Success && m.Groups["size"].Value.Length > 0 ? long.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture) : 0;
                entries[m.Groups["path"].Value] = new ListedEntry(isDirectory ? 'd' : '-', "", 0, 0, size, null);
            }
        }

        return entries;
    }

    private static ListedEntry Entry(Match m) => new(
        m.Groups["mode"].Value[0],
        m.Groups["mode"].Value[1..],
        long.Parse(m.Groups["uid"].Value, CultureInfo.InvariantCulture),
        long.Parse(m.Groups["gid"].Value, CultureInfo.InvariantCulture),
        long.Parse(m.Groups["size"].Value, CultureInfo.InvariantCulture),
        m.Groups["target"].Success ? m.Groups["target"].Value : null);

    public static string ModeString(uint permissions)
    {
        const string letters = "rwxrwxrwx";
        var chars = new char[9];
        for (var i = 0; i < 9; i++)
        {
            chars[i] = (permissions & (1u << (8 - i))) != 0 ? letters[i] : '-';
        }

        if ((permissions & 0x800) != 0)
        {
            chars[2] = chars[2] == 'x' ? 's' : 'S';
        }

        return new string(chars);
    }

    private static void AssertNoComplaints(ToolResult result)
    {
        var all = result.StandardOutput + result.StandardError;
        Assert.False(all.Contains("SORRY", StringComparison.Ordinal) || all.Contains("FAILURE", StringComparison.Ordinal) || all.Contains("WARNING", StringComparison.Ordinal),
            $"xorriso complained:\n{result.StandardError}");
    }

    [GeneratedRegex(@"^(?<mode>\S{10})\s+\d+\s+(?<uid>\d+)\s+(?<gid>\d+)\s+(?<size>\d+)\s+\w{3}\s+\d+\s+\S+\s+'(?<path>.*?)'(?: -> '(?<target>.*)')?$")]
    private static partial Regex XorrisoLine();

    [GeneratedRegex(@"^(?<mode>\S{10})\s+\d+\s+(?<uid>\d+)\s+(?<gid>\d+)\s+(?<size>\d+)\s+\w{3}\s+\d+\s+[\d:]+\s(?<path>.*)$")]
    private static partial Regex BsdtarLine();

    [GeneratedRegex(@"^(?<mode>\S{10})\s+\d+\s+(?<uid>\d+)\s+(?<gid>\d+)\s+(?<size>\d+)\s+\w{3}\s+\d+\s+\d{4}\s+\[\s*\d+\s+\d+\]\s+(?<path>.*?)\s*$")]
    private static partial Regex IsoinfoLine();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\d \d\d:\d\d:\d\d (?<attr>[D.][R.][H.][S.][A.])\s+(?<size>\d*)\s+\d*\s+(?<path>\S.*)$")]
    private static partial Regex SevenZipLine();
}
