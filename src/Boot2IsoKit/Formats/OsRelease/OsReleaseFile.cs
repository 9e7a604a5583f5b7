using System.Text;

namespace Boot2IsoKit.Formats.OsRelease;

/// <summary>
/// /etc/os-release, the one reader and editor of it in the toolkit. The file is a list of shell-compatible
/// variable assignments (os-release(5)), so it is read the way a shell sourcing it (and systemd's
/// env-file parser) reads it:
/// <list type="bullet">
/// <item>blank lines and lines starting with '#' are ignored; other lines without '=' are skipped;</item>
/// <item>a key assigned twice takes its LAST value, as when the file is sourced;</item>
/// <item>values may be bare, 'single-quoted' (taken literally) or "double-quoted" (where a backslash escapes
/// only <c>" \ $ `</c>, as in the shell); a bare value's backslash escapes the next character.</item>
/// </list>
/// Edits keep every other line as it was, so the base's own fields (ID=boot2docker, which docker-machine's
/// provisioner looks for) survive.
/// </summary>
internal sealed class OsReleaseFile
{
    private readonly List<string> _lines;

    private OsReleaseFile(List<string> lines) => _lines = lines;

    public static OsReleaseFile Parse(string? text)
    {
        var normalized = (text ?? "").Replace("\r\n", "\n", StringComparison.Ordinal).TrimEnd('\n');
        return new(normalized.Length == 0 ? [] : [.. normalized.Split('\n')]);
    }

    /// <summary>The value of a key (its last assignment), or null when the file does not assign it.</summary>
    public string? this[string key]
    {
        get
        {
            var index = LastAssignment(key);
            return index < 0 ? null : Value(_lines[index]);
        }
    }

    /// <summary>Every key with its value (the last assignment of each).</summary>
    public IReadOnlyDictionary<string, string> ToDictionary()
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var line in _lines)
        {
            if (Key(line) is { } key)
            {
                values[key] = Value(line);
            }
        }

        return values;
    }

    /// <summary>Sets a value, rewriting the key's last (effective) assignment in place or appending one.</summary>
    public void Set(string key, string value)
    {
        var rendered = $"{key}={Quote(value)}";
        var index = LastAssignment(key);
        if (index < 0)
        {
            _lines.Add(rendered);
        }
        else
        {
            _lines[index] = rendered;
        }
    }

    public override string ToString() => string.Concat(_lines.Select(l => l + "\n"));

    private int LastAssignment(string key)
    {
        for (var i = _lines.Count - 1; i >= 0; i--)
        {
            if (Key(_lines[i]) == key)
            {
                return i;
            }
        }

        return -1;
    }

    private static string? Key(string line)
    {
        var trimmed = line.TrimStart();
        var equals = trimmed.IndexOf('=', StringComparison.Ordinal);
        return trimmed.StartsWith('#') || equals <= 0 ? null : trimmed[..equals].TrimEnd();
    }

    private static string Value(string line)
    {
        var raw = line[(line.IndexOf('=', StringComparison.Ordinal) + 1)..].Trim();
        var value = new StringBuilder(raw.Length);
        var quote = '\0';
        for (var i = 0; i < raw.Length; i++)
        {
            var c = raw[i];
            if (quote == '\'')
            {
                if (c == '\'')
                {
                    quote = '\0';
                }
                else
                {
                    value.Append(c);
                }
            }
            else if (quote == '"')
            {
                if (c == '"')
                {
                    quote = '\0';
                }
                else if (c == '\\' && i + 1 < raw.Length && raw[i + 1] is '"' or '\\' or '$' or '`')
                {
                    value.Append(raw[++i]);
                }
                else
                {
                    value.Append(c);
                }
            }
            else if (c is '"' or '\'')
            {
                quote = c;
            }
            else if (c == '\\' && i + 1 < raw.Length)
            {
                value.Append(raw[++i]);
            }
            else
            {
                value.Append(c);
            }
        }

        return value.ToString();
    }

    /// <summary>Plain word characters stay bare (ID=boot2docker); anything else is double-quoted with escapes.</summary>
    private static string Quote(string value) =>
        value.Length > 0 && value.All(c => char.IsAsciiLetterOrDigit(c) || c is '.' or '-' or '_')
            ? value
            : "\"" + value.Replace("\\", "\\\\", StringComparison.Ordinal).Replace("\"", "\\\"", StringComparison.Ordinal)
                .Replace("$", "\\$", StringComparison.Ordinal).Replace("`", "\\`", StringComparison.Ordinal) + "\"";
}
