using System.Text;

namespace Boot2IsoKit.Inputs.Debian;

/// <summary>One deb822 paragraph: field names are case-insensitive, multi-line values keep their newlines.</summary>
internal sealed class Deb822Stanza
{
    private readonly Dictionary<string, string> _fields = new(StringComparer.OrdinalIgnoreCase);

    public string? this[string field] => _fields.TryGetValue(field, out var value) ? value : null;

    public IEnumerable<string> FieldNames => _fields.Keys;

    internal void Set(string field, string value) => _fields[field] = value;
}

/// <summary>
/// Reads the deb822 format (Packages, Release, control files, apt .sources): "Field: value" lines,
/// continuation lines starting with a space or tab, paragraphs separated by blank lines, '#' comments.
/// </summary>
internal static class Deb822
{
    private const int MaxValueLength = 64 << 20;

    /// <summary>Paragraphs one at a time; <paramref name="keep"/> (when given) drops other fields while reading.</summary>
    public static IEnumerable<Deb822Stanza> Parse(TextReader reader, string input, ISet<string>? keep = null)
    {
        ArgumentNullException.ThrowIfNull(reader);
        Deb822Stanza? stanza = null;
        string? field = null;
        var value = new StringBuilder();
        var lineNumber = 0;

        void Flush()
        {
            if (stanza is not null && field is not null && (keep is null || keep.Contains(field)))
            {
                stanza.Set(field, value.ToString());
            }

            field = null;
            value.Clear();
        }

        while (reader.ReadLine() is { } line)
        {
            lineNumber++;
            if (line.Length == 0 || line.All(char.IsWhiteSpace))
            {
                Flush();
                if (stanza is not null)
                {
                    yield return stanza;
                    stanza = null;
                }

                continue;
            }

            if (line[0] == '#')
            {
                continue;
            }

            if (line[0] is ' ' or '\t')
            {
                if (field is null && stanza is null)
                {
                    throw new InvalidDebianInputException(input, $"line {lineNumber}", "continuation line without a field");
                }

                if (field is not null && (keep is null || keep.Contains(field)))
                {
                    if (value.Length + line.Length > MaxValueLength)
                    {
                        throw new InvalidDebianInputException(input, $"line {lineNumber}", $"value of {field} is longer than {MaxValueLength} bytes");
                    }

                    value.Append('\n').Append(line.AsSpan(1));
                }

                continue;
            }

            var colon = line.IndexOf(':', StringComparison.Ordinal);
            if (colon <= 0)
            {
                throw new InvalidDebianInputException(input, $"line {lineNumber}", "expected 'Field: value'");
            }

            Flush();
            stanza ??= new Deb822Stanza();
            field = line[..colon].Trim();
            value.Append(line.AsSpan(colon + 1).Trim());
        }

        Flush();
        if (stanza is not null)
        {
            yield return stanza;
        }
    }
}
