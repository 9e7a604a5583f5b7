using System.Net.Http.Headers;
using System.Text;

namespace Boot2IsoKit.Inputs.Registry;

/// <summary>
/// One <c>WWW-Authenticate</c> challenge of a 401: its scheme and auth-params (RFC 7235 section 2.1:
/// <c>name=token</c> or <c>name="quoted string"</c>, comma-separated). A registry's token challenge is
/// <c>Bearer realm="…",service="…",scope="…"</c> (distribution's docs/spec/auth/token.md); htpasswd's is <c>Basic realm="…"</c>.
/// </summary>
internal sealed record AuthenticationChallenge(string Scheme, IReadOnlyDictionary<string, string> Parameters)
{
    public bool IsBearer => Scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase);

    public bool IsBasic => Scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase);

    public string? this[string name] => Parameters.TryGetValue(name, out var value) ? value : null;

    /// <summary>The challenges of a response, Bearer first (it is what registries mean when they offer both).</summary>
    public static IReadOnlyList<AuthenticationChallenge> From(HttpHeaderValueCollection<AuthenticationHeaderValue> headers)
    {
        ArgumentNullException.ThrowIfNull(headers);
        return [.. headers.Select(h => new AuthenticationChallenge(h.Scheme, ParseParameters(h.Parameter ?? ""))).OrderBy(c => c.IsBearer ? 0 : 1)];
    }

    public static IReadOnlyDictionary<string, string> ParseParameters(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        var parameters = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase);
        var i = 0;
        while (i < text.Length)
        {
            while (i < text.Length && (text[i] == ',' || char.IsWhiteSpace(text[i])))
            {
                i++;
            }

            var nameStart = i;
            while (i < text.Length && text[i] != '=' && text[i] != ',')
            {
                i++;
            }

            var name = text[nameStart..i].Trim();
            if (i >= text.Length || text[i] != '=')
            {
                continue;
            }

            i++;
            var value = new StringBuilder();
            if (i < text.Length && text[i] == '"')
            {
                for (i++; i < text.Length && text[i] != '"'; i++)
                {
                    if (text[i] == '\\' && i + 1 < text.Length)
                    {
                        i++;
                    }

                    value.Append(text[i]);
                }

                i++;
            }
            else
            {
                for (; i < text.Length && text[i] != ','; i++)
                {
                    value.Append(text[i]);
                }
            }

            if (name.Length > 0)
            {
                parameters[name] = value.ToString().Trim();
            }
        }

        return parameters;
    }
}
