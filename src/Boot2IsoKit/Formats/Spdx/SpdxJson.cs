using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.RegularExpressions;

namespace Boot2IsoKit.Formats.Spdx;

/// <summary>
/// Writes an <see cref="SpdxDocument"/> as SPDX 2.3 JSON: the schema's property names, absent values left
/// out, enums in upper snake case, two-space indentation and "\n" on every platform, UTF-8 without BOM.
/// Also makes SPDX identifiers (clause 3.2: "SPDXRef-" then letters, digits, '.' and '-').
/// </summary>
internal static partial class SpdxJson
{
    private static readonly JsonSerializerOptions Options = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.CamelCase,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NewLine = "\n",
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping, // keeps '+' and non-ASCII names readable; still valid JSON
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.SnakeCaseUpper) },
    };

    public static byte[] ToUtf8(SpdxDocument document) =>
        Encoding.UTF8.GetBytes(JsonSerializer.Serialize(document, Options) + "\n");

    /// <summary>"SPDXRef-" + <paramref name="kind"/> + "-" + <paramref name="name"/> with every other character made '-'.</summary>
    public static string Id(string kind, string name) => $"SPDXRef-{kind}-{NotIdCharacters().Replace(name, "-").Trim('-')}";

    [GeneratedRegex("[^A-Za-z0-9.-]+")]
    private static partial Regex NotIdCharacters();
}
