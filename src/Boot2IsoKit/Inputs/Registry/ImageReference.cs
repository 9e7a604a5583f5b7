using System.Text.RegularExpressions;

namespace Boot2IsoKit.Inputs.Registry;

/// <summary>
/// A reference as docker names it: <c>busybox</c>, <c>busybox:1.36</c>, <c>127.0.0.1:5000/b2ik/tiny:1</c>,
/// <c>ghcr.io/o/r@sha256:&lt;64 hex&gt;</c>, <c>name:tag@sha256:…</c> (the digest wins when pulling; the tag is kept for
/// the reader). Parsed with the grammar of distribution's reference package (<c>github.com/distribution/reference</c>,
/// regexp.go) and normalized as its normalize.go does (<c>ParseNormalizedNamed</c>, <c>splitDockerDomain</c>):
/// <list type="bullet">
/// <item>a reference with no <c>/</c> is on Docker Hub, in its <c>library/</c> namespace (<c>busybox</c> → <c>docker.io/library/busybox</c>);</item>
/// <item>the first component is a registry when it is <c>localhost</c>, contains a <c>.</c> or a <c>:</c>, or has upper-case
/// letters (repository components cannot); else the whole name is a Docker Hub repository;</item>
/// <item><c>index.docker.io</c> is Docker Hub's legacy name, canonicalized to <c>docker.io</c>; a one-component Docker Hub
/// repository gets <c>library/</c>;</item>
/// <item>no tag and no digest → the tag <c>latest</c> (<c>TagNameOnly</c>).</item>
/// </list>
/// Only sha256 digests are taken: every byte fetched is checked with it.
/// </summary>
internal sealed partial record ImageReference(string Registry, string Repository, string? Tag, string? Digest)
{
    /// <summary>Docker Hub's canonical domain in references (normalize.go's <c>defaultDomain</c>).</summary>
    public const string DockerHub = "docker.io";

    private const string LegacyDockerHub = "index.docker.io";
    private const string OfficialPrefix = "library/";
    private const string DefaultTag = "latest";

    /// <summary>reference.go's <c>RepositoryNameTotalLengthMax</c>.</summary>
    private const int RepositoryMaxLength = 255;

    /// <summary>What a pull asks the registry for: the digest when there is one, else the tag.</summary>
    public string ManifestReference => Digest ?? Tag ?? DefaultTag;

    public static bool TryParse(string text, out ImageReference? reference, out string? problem)
    {
        reference = null;
        problem = Problem(text, out var parsed);
        reference = parsed;
        return problem is null;
    }

    /// <summary>Canonical: <c>registry/repository:tag</c>, <c>registry/repository@sha256:…</c>, or both.</summary>
    public override string ToString() =>
        Registry + "/" + Repository + (Tag is null ? "" : ":" + Tag) + (Digest is null ? "" : "@" + Digest);

    private static string? Problem(string? text, out ImageReference? reference)
    {
        reference = null;
        if (string.IsNullOrEmpty(text))
        {
            return "the image reference is empty";
        }

        if (text.Trim() != text)
        {
            return $"'{text}' has spaces around it";
        }

        // ParseNormalizedNamed: a bare 64-hex string is an image ID, never a repository name.
        if (Identifier().IsMatch(text))
        {
            return $"'{text}' is an image ID, not a reference: name the image (name:tag or name@sha256:…)";
        }

        var (domain, remainder) = SplitDomain(text);
        var colon = remainder.IndexOf(':', StringComparison.Ordinal);
        var remote = colon < 0 ? remainder : remainder[..colon];
        if (!remote.Equals(remote.ToLowerInvariant(), StringComparison.Ordinal))
        {
            return $"'{text}': the repository name ({remote}) must be lower case";
        }

        var match = Reference().Match(domain + "/" + remainder);
        if (!match.Success)
        {
            return $"'{text}' is not a valid reference: [registry[:port]/]name[:tag][@sha256:<64 hex>], the name in lower-case letters, digits and separators (. _ __ -), the tag up to 128 letters, digits, _ . -";
        }

        var repository = match.Groups["path"].Value;
        if (repository.Length > RepositoryMaxLength)
        {
            return $"'{text}': the repository name is longer than {RepositoryMaxLength} characters";
        }

        string? digest = null;
        if (match.Groups["digest"].Success)
        {
            digest = match.Groups["digest"].Value;
            if (!digest.StartsWith("sha256:", StringComparison.Ordinal))
            {
                return $"'{text}': only sha256 digests are supported (got {digest[..digest.IndexOf(':', StringComparison.Ordinal)]})";
            }

            // go-digest's sha256 encoding: exactly 64 lower-case hex digits.
            if (!IsSha256Digest(digest))
            {
                return $"'{text}': a sha256 digest is 'sha256:' and 64 lower-case hex digits";
            }
        }

        var tag = match.Groups["tag"].Success ? match.Groups["tag"].Value : null;
        reference = new ImageReference(match.Groups["domain"].Value, repository, tag ?? (digest is null ? DefaultTag : null), digest);
        return null;
    }

    /// <summary>Whether <paramref name="digest"/> is <c>sha256:</c> and 64 lower-case hex digits.</summary>
    public static bool IsSha256Digest(string? digest) => digest is not null && Sha256Digest().IsMatch(digest);

    /// <summary>normalize.go's <c>splitDockerDomain</c>.</summary>
    private static (string Domain, string Remainder) SplitDomain(string name)
    {
        var slash = name.IndexOf('/', StringComparison.Ordinal);
        if (slash < 0)
        {
            return (DockerHub, OfficialPrefix + name);
        }

        var first = name[..slash];
        var rest = name[(slash + 1)..];
        string domain;
        string remote;
        if (first == "localhost" || first.Contains('.', StringComparison.Ordinal) || first.Contains(':', StringComparison.Ordinal)
            || !first.Equals(first.ToLowerInvariant(), StringComparison.Ordinal))
        {
            (domain, remote) = (first == LegacyDockerHub ? DockerHub : first, rest);
        }
        else
        {
            (domain, remote) = (DockerHub, name);
        }

        if (domain == DockerHub && !remote.Contains('/', StringComparison.Ordinal))
        {
            remote = OfficialPrefix + remote;
        }

        return (domain, remote);
    }

    // regexp.go, with RE2's ASCII \w and [[:xdigit:]] spelled out:
    //   domainNameComponent (?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]), domainName = components joined by '.',
    //   ipv6address \[(?:[a-fA-F0-9:]+)\], optionalPort (?::[0-9]+)?,
    //   pathComponent [a-z0-9]+(?:(?:[._]|__|[-]+)[a-z0-9]+)*, remoteName = path components joined by '/',
    //   tag [\w][\w.-]{0,127}, digest [A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*[:][[:xdigit:]]{32,}.
    [GeneratedRegex(
        @"^(?<domain>(?:(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9])(?:\.(?:[a-zA-Z0-9]|[a-zA-Z0-9][a-zA-Z0-9-]*[a-zA-Z0-9]))*|\[[a-fA-F0-9:]+\])(?::[0-9]+)?)/"
        + @"(?<path>[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*(?:/[a-z0-9]+(?:(?:[._]|__|-+)[a-z0-9]+)*)*)"
        + @"(?::(?<tag>[A-Za-z0-9_][A-Za-z0-9_.-]{0,127}))?"
        + @"(?:@(?<digest>[A-Za-z][A-Za-z0-9]*(?:[-_+.][A-Za-z][A-Za-z0-9]*)*:[0-9a-fA-F]{32,}))?\z",
        RegexOptions.CultureInvariant | RegexOptions.ExplicitCapture)]
    private static partial Regex Reference();

    [GeneratedRegex(@"^[a-f0-9]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Identifier();

    [GeneratedRegex(@"^sha256:[a-f0-9]{64}\z", RegexOptions.CultureInvariant)]
    private static partial Regex Sha256Digest();
}
