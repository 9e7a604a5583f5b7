using System.Text;

namespace Boot2IsoKit.OsRelease;

/// <summary>
/// /etc/os-release (KEY=value lines, values optionally double-quoted). Edits keep every other line as
/// it was, so the base's own fields (ID=boot2docker, which docker-machine's provisioner looks for) survive.
/// </summary>
public sealed class OsReleaseFile
{
    private readonly List<string> _lines;

    private OsReleaseFile(List<string> lines) => _lines = lines;

    public static OsReleaseFile Parse(string text)
    {
        var normalized = (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
        return new(normalized.Length == 0 ? [] : [.. normalized.Split('\n')]);
    }

    public string? this[string key]
    {
        get
        {
            foreach (var line in _lines)
            {
                if (TrySplit(line, out var k, out var v) && k == key)
                {
                    return v;
                }
            }

            return null;
        }
    }

    /// <summary>Sets a value, replacing the key's line in place or appending one.</summary>
    public void Set(string key, string value)
    {
        var rendered = $"{key}={Quote(value)}";
        for (var i = 0; i < _lines.Count; i++)
        {
            if (TrySplit(_lines[i], out var k, out _) && k == key)
            {
                _lines[i] = rendered;
                return;
            }
        }

        _lines.Add(rendered);
    }

    public override string ToString() => string.Concat(_lines.Select(l => l + "\n"));

    private static bool TrySplit(string line, out string key, out string value)
    {
        key = value = "";
        var trimmed = line.Trim();
        var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
        if (trimmed.StartsWith('#') || equals <= 0)
        {
            return false;
        }

        key = trimmed[..equals];
        value = Unquote(trimmed[(equals + 1)..]);
        return true;
    }

    private static string Unquote(string raw)
    {
        if (raw.Length >= 2 && (raw[0] is '"' or '\'') && raw[^1] == raw[0])
        {
            var inner = raw[1..^1];
            if (raw[0] == '\'')
            {
                return inner;
            }

            var result = new StringBuilder(inner.Length);
            for (var i = 0; i < inner.Length; i++)
            {
                if (inner[i] == '\\' && i + 1 < inner.Length)
                {
                    i++;
                }

                result.Append(inner[i]);
            }

            return result.ToString();
        }

        return raw;
    }

    /// <summary>Plain word characters stay bare (ID=boot2docker); anything else is double-quoted with escapes.</summary>
    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("$", "\\$", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "\"";
}
