using System.Net;
using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Inputs.Registry;

/// <summary>
/// Pulling from a registry failed. Names the registry and the repository; callers decide on the subclass, never on the
/// message. No message carries a password or a token.
/// </summary>
internal class RegistryException : Boot2IsoKitException
{
    public RegistryException(string registry, string repository, string message, HttpStatusCode? status = null, Exception? inner = null)
        : base(message, inner!)
    {
        Registry = registry;
        Repository = repository;
        Status = status;
    }

    /// <summary>The registry as the reference names it (<c>docker.io</c>, <c>127.0.0.1:5000</c>).</summary>
    public string Registry { get; }

    public string Repository { get; }

    /// <summary>The HTTP status that ended the pull, when a server answered.</summary>
    public HttpStatusCode? Status { get; }
}

/// <summary>The registry (or its token server) refused us: wrong credentials, or an account without pull access.</summary>
internal class RegistryAuthenticationException : RegistryException
{
    public RegistryAuthenticationException(string registry, string repository, string message, HttpStatusCode? status = null)
        : base(registry, repository, message, status)
    {
    }
}

/// <summary>The registry wants credentials and none were given.</summary>
internal sealed class RegistryCredentialsRequiredException : RegistryAuthenticationException
{
    public RegistryCredentialsRequiredException(string registry, string repository, string message)
        : base(registry, repository, message, HttpStatusCode.Unauthorized)
    {
    }
}

/// <summary>The registry does not have the manifest (by tag or digest) or the blob (404: MANIFEST_UNKNOWN, BLOB_UNKNOWN, NAME_UNKNOWN).</summary>
internal sealed class RegistryNotFoundException : RegistryException
{
    public RegistryNotFoundException(string registry, string repository, string what, string message)
        : base(registry, repository, message, HttpStatusCode.NotFound)
    {
        What = what;
    }

    /// <summary>The tag or digest asked for.</summary>
    public string What { get; }
}

/// <summary>Bytes that arrived whole are not the ones their digest (or size) names: a tampered or corrupt store, or a wrong pin.</summary>
internal sealed class RegistryDigestMismatchException : RegistryException
{
    public RegistryDigestMismatchException(string registry, string repository, string expected, string actual, string message)
        : base(registry, repository, message)
    {
        Expected = expected;
        Actual = actual;
    }

    public string Expected { get; }

    public string Actual { get; }
}

/// <summary>Why a manifest cannot be pulled as a linux/amd64 docker image.</summary>
internal enum UnsupportedManifestReason
{
    /// <summary>Docker's image manifest schema 1 (deprecated, signed, no config blob).</summary>
    Schema1,

    /// <summary>A media type that is not an image manifest, image index or manifest list (an artifact, a helm chart, ...).</summary>
    UnknownMediaType,

    /// <summary>A layer that the registry does not serve (docker's foreign layers, OCI's non-distributable layers, external URLs).</summary>
    ForeignLayer,

    /// <summary>An index or manifest list with no linux/amd64 entry.</summary>
    NoLinuxAmd64,

    /// <summary>Not valid JSON, a field missing or of the wrong type, a digest that is not sha256.</summary>
    Malformed,
}

/// <summary>The manifest is valid for the registry but not something we can pull (see <see cref="Reason"/>).</summary>
internal sealed class RegistryUnsupportedManifestException : RegistryException
{
    public RegistryUnsupportedManifestException(string registry, string repository, UnsupportedManifestReason reason, string message)
        : base(registry, repository, message)
    {
        Reason = reason;
    }

    public UnsupportedManifestReason Reason { get; }
}

/// <summary>The transfer failed: the registry is unreachable, too slow, answered an unexpected status, or cut a body short.</summary>
internal sealed class RegistryTransferException : RegistryException
{
    public RegistryTransferException(string registry, string repository, string message, HttpStatusCode? status = null, Exception? inner = null)
        : base(registry, repository, message, status, inner)
    {
    }
}
