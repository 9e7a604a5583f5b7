using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Security;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Inputs.Registry;

/// <summary>How patient the <see cref="RegistryClient"/> is.</summary>
internal sealed record RegistryClientOptions
{
    /// <summary>Longest wait for response headers, for a whole manifest or token, and for the next bytes of a blob.</summary>
    public TimeSpan ReadTimeout { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>
    /// CA certificates trusted for registries' TLS besides the system's (a company CA, a local registry's own CA). Used only by
    /// the client's own handler, not by one passed in.
    /// </summary>
    public IReadOnlyList<X509Certificate2> TrustedAuthorities { get; init; } = [];
}

/// <summary>
/// Pulls images through the OCI distribution API (distribution-spec spec.md, "Pulling manifests" and "Pulling blobs":
/// <c>GET /v2/&lt;name&gt;/manifests/&lt;reference&gt;</c>, <c>GET /v2/&lt;name&gt;/blobs/&lt;digest&gt;</c>), verifying every byte by
/// its sha256 digest.
/// <para>
/// Authentication: a request goes out anonymously (or with what worked before for that registry and repository); a 401's
/// <c>WWW-Authenticate</c> says how to authenticate: <c>Bearer</c> → a token from the realm for
/// <c>scope=repository:&lt;name&gt;:pull</c> (distribution's docs/spec/auth/token.md and scope.md; HTTP basic with the credentials
/// when there are any), <c>Basic</c> → the credentials. The header that worked is cached per registry and repository.
/// </para>
/// <para>
/// Redirects (registries send blob GETs to object storage) are followed here, not by the handler: the Authorization header
/// goes only to the registry's own scheme, host and port, never to another host.
/// </para>
/// </summary>
internal sealed class RegistryClient : IDisposable
{
    /// <summary>The OCI distribution spec lets registries refuse manifests over 4 MiB; nothing bigger is read.</summary>
    private const int MaxManifestBytes = 4 * 1024 * 1024;

    /// <summary>A token response is a small JSON object.</summary>
    private const int MaxTokenBytes = 1024 * 1024;

    private const int MaxRedirects = 10;
    private const int BufferSize = 1 << 16;
    private const int ProgressStep = 256 * 1024;

    private readonly HttpClient _http;
    private readonly RegistryClientOptions _options;
    private readonly ConcurrentDictionary<string, AuthenticationHeaderValue> _authorizations = new(StringComparer.Ordinal);

    /// <param name="handler">A custom handler (tests, proxies); null: a SocketsHttpHandler of its own that follows no redirects.</param>
    public RegistryClient(HttpMessageHandler? handler = null)
        : this(handler, null)
    {
    }

    public RegistryClient(HttpMessageHandler? handler, RegistryClientOptions? options)
    {
        _options = options ?? new RegistryClientOptions();
        handler ??= new SocketsHttpHandler
        {
            // We follow redirects ourselves, to decide where the Authorization header goes.
            AllowAutoRedirect = false,
            // Blobs must arrive byte for byte: their digest is of the compressed bytes.
            AutomaticDecompression = DecompressionMethods.None,
            ConnectTimeout = _options.ReadTimeout,
            UseProxy = true,
            SslOptions = TrustOptions(_options.TrustedAuthorities),
        };
        _http = new HttpClient(handler, disposeHandler: true) { Timeout = Timeout.InfiniteTimeSpan };
        _http.DefaultRequestHeaders.UserAgent.Add(new ProductInfoHeaderValue("Boot2IsoKit", "1.0"));
    }

    public void Dispose() => _http.Dispose();

    /// <summary>The system's trust, and for a chain it does not trust, the <paramref name="authorities"/> as roots. A name mismatch is never accepted.</summary>
    private static SslClientAuthenticationOptions TrustOptions(IReadOnlyList<X509Certificate2> authorities)
    {
        var options = new SslClientAuthenticationOptions();
        if (authorities.Count > 0)
        {
            options.RemoteCertificateValidationCallback = (_, certificate, chain, errors) =>
                errors == SslPolicyErrors.None
                || (errors == SslPolicyErrors.RemoteCertificateChainErrors && certificate is not null && ChainsTo(certificate, chain, authorities));
        }

        return options;
    }

    private static bool ChainsTo(X509Certificate certificate, X509Chain? presented, IReadOnlyList<X509Certificate2> authorities)
    {
        using var chain = new X509Chain();
        chain.ChainPolicy.TrustMode = X509ChainTrustMode.CustomRootTrust;
        chain.ChainPolicy.RevocationMode = X509RevocationMode.NoCheck;
        chain.ChainPolicy.CustomTrustStore.AddRange(authorities.ToArray());
        if (presented is not null)
        {
            foreach (var element in presented.ChainElements)
            {
                chain.ChainPolicy.ExtraStore.Add(element.Certificate);
            }
        }

        using var leaf = X509CertificateLoader.LoadCertificate(certificate.GetRawCertData());
        return chain.Build(leaf);
    }

    /// <summary>
    /// GETs the manifest by tag or digest; a manifest list / OCI index → its linux/amd64 entry, fetched by its digest.
    /// Every manifest's sha256 is checked against the digest it was asked by and against Docker-Content-Digest when sent.
    /// </summary>
    public async Task<ResolvedImage> ResolveAsync(ImageReference reference, RegistryAccess access, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(access);
        var first = await GetManifestAsync(reference, access, reference.ManifestReference, cancellationToken).ConfigureAwait(false);
        var document = ManifestDocument.Parse(first.Bytes, first.ContentType, reference, first.Digest);
        string? indexDigest = null;
        var manifestDigest = first.Digest;
        if (document is IndexManifest index)
        {
            var entry = index.Entries.FirstOrDefault(e => e.IsLinuxAmd64)
                ?? throw new RegistryUnsupportedManifestException(reference.Registry, reference.Repository, UnsupportedManifestReason.NoLinuxAmd64,
                    $"{reference} ({first.Digest}) is a multi-platform image without a linux/amd64 entry (it has {Platforms(index)}): the ISO's engine runs linux/amd64 images only; name an image built for it.");
            if (!MediaTypes.IsImageManifest(entry.Descriptor.MediaType))
            {
                throw new RegistryUnsupportedManifestException(reference.Registry, reference.Repository, UnsupportedManifestReason.UnknownMediaType,
                    $"{reference} ({first.Digest}): its linux/amd64 entry is a '{entry.Descriptor.MediaType}', not an image manifest.");
            }

            indexDigest = first.Digest;
            manifestDigest = entry.Descriptor.Digest;
            var child = await GetManifestAsync(reference, access, manifestDigest, cancellationToken).ConfigureAwait(false);
            if (child.Bytes.Length != entry.Descriptor.Size)
            {
                throw new RegistryDigestMismatchException(reference.Registry, reference.Repository, manifestDigest, manifestDigest,
                    $"{reference}: the linux/amd64 manifest {manifestDigest} is {child.Bytes.Length} bytes, but the index says {entry.Descriptor.Size}.");
            }

            document = ManifestDocument.Parse(child.Bytes, child.ContentType, reference, manifestDigest);
            if (document is not ImageManifest)
            {
                throw new RegistryUnsupportedManifestException(reference.Registry, reference.Repository, UnsupportedManifestReason.UnknownMediaType,
                    $"{reference}: the linux/amd64 entry {manifestDigest} is itself an index, not an image manifest.");
            }
        }

        var image = (ImageManifest)document;
        return new ResolvedImage(reference, manifestDigest, indexDigest, CheckConfig(reference, manifestDigest, image), CheckLayers(reference, manifestDigest, image));
    }

    /// <summary>The manifest bytes exactly as fetched, checked against <paramref name="digest"/>.</summary>
    public async Task<byte[]> FetchManifestAsync(ImageReference reference, RegistryAccess access, string digest, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(access);
        RequireDigest(reference, digest);
        return (await GetManifestAsync(reference, access, digest, cancellationToken).ConfigureAwait(false)).Bytes;
    }

    /// <summary>
    /// One blob to <c>&lt;directory&gt;/&lt;hex&gt;</c>: written to a temporary name, size and sha256 verified, then moved. An existing
    /// file whose size and sha256 verify is kept; one that does not is deleted first. Progress in bytes received.
    /// </summary>
    public async Task<string> FetchBlobAsync(ResolvedImage image, ImageDescriptor blob, RegistryAccess access, string directory, IProgress<long>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(image);
        ArgumentNullException.ThrowIfNull(blob);
        ArgumentNullException.ThrowIfNull(access);
        var reference = image.Reference;
        RequireDigest(reference, blob.Digest);
        var path = Path.Combine(Path.GetFullPath(directory), blob.Hex);
        if (File.Exists(path))
        {
            if (new FileInfo(path).Length == blob.Size && "sha256:" + await FileHash.Sha256Async(path, cancellationToken).ConfigureAwait(false) == blob.Digest)
            {
                progress?.Report(blob.Size);
                return path;
            }

            File.Delete(path);
        }

        var url = Api(access, reference, "blobs/" + blob.Digest);
        using var response = await SendWithinReadTimeoutAsync(reference, access, url, "blob " + blob.Digest, cancellationToken).ConfigureAwait(false);
        await EnsureSuccessAsync(response, reference, "blob " + blob.Digest, cancellationToken).ConfigureAwait(false);
        if (response.Content.Headers.ContentLength is { } announced && announced != blob.Size)
        {
            throw new RegistryDigestMismatchException(reference.Registry, reference.Repository, blob.Digest, blob.Digest,
                $"{reference}: the registry offers {announced} bytes for blob {blob.Digest}, but the manifest {image.ManifestDigest} says {blob.Size}: the registry's store is damaged or the manifest is wrong.");
        }

        await AtomicFile.WriteAsync(path, (file, token) => ReceiveBlobAsync(response, file, image, blob, progress, token), cancellationToken).ConfigureAwait(false);
        return path;
    }

    /// <summary>The blob's response headers within <see cref="RegistryClientOptions.ReadTimeout"/>; the body has its own stall timer.</summary>
    private async Task<HttpResponseMessage> SendWithinReadTimeoutAsync(ImageReference reference, RegistryAccess access, Uri url, string what, CancellationToken cancellationToken)
    {
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.ReadTimeout);
        try
        {
            return await SendAsync(reference, access, url, null, what, limit.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository,
                $"{reference}: no answer for {what} within {_options.ReadTimeout} from {access.BaseAddress}. Try again; check the network or proxy.", null, e);
        }
    }

    private async Task ReceiveBlobAsync(HttpResponseMessage response, Stream file, ResolvedImage image, ImageDescriptor blob, IProgress<long>? progress, CancellationToken token)
    {
        var reference = image.Reference;
        using var sha256 = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        using var stall = CancellationTokenSource.CreateLinkedTokenSource(token);
        var buffer = new byte[BufferSize];
        var received = 0L;
        var reported = 0L;
        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(token).ConfigureAwait(false);
            while (true)
            {
                stall.CancelAfter(_options.ReadTimeout);
                var read = await body.ReadAsync(buffer, stall.Token).ConfigureAwait(false);
                if (read == 0)
                {
                    break;
                }

                received += read;
                if (received > blob.Size)
                {
                    throw new RegistryDigestMismatchException(reference.Registry, reference.Repository, blob.Digest, blob.Digest,
                        $"{reference}: the registry sent more than the {blob.Size} bytes of blob {blob.Digest}.");
                }

                sha256.AppendData(buffer, 0, read);
                await file.WriteAsync(buffer.AsMemory(0, read), token).ConfigureAwait(false);
                if (received - reported >= ProgressStep)
                {
                    reported = received;
                    progress?.Report(received);
                }
            }
        }
        catch (OperationCanceledException e) when (!token.IsCancellationRequested)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository,
                $"{reference}: blob {blob.Digest} stalled: no data for {_options.ReadTimeout} after {received} of {blob.Size} bytes. Try again; check the network or proxy.", null, e);
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository,
                $"{reference}: the connection broke after {received} of {blob.Size} bytes of blob {blob.Digest} ({e.Message}). Try again.", null, e);
        }

        if (received < blob.Size)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository,
                $"{reference}: blob {blob.Digest} ended after {received} of {blob.Size} bytes. Try again.");
        }

        var actual = "sha256:" + Convert.ToHexStringLower(sha256.GetHashAndReset());
        if (actual != blob.Digest)
        {
            throw new RegistryDigestMismatchException(reference.Registry, reference.Repository, blob.Digest, actual,
                $"{reference}: blob {blob.Digest} arrived with the sha256 {actual}: the registry's store is damaged or something between rewrote it. Nothing was kept.");
        }

        progress?.Report(received);
    }

    private sealed record FetchedManifest(byte[] Bytes, string Digest, string? ContentType);

    private async Task<FetchedManifest> GetManifestAsync(ImageReference reference, RegistryAccess access, string tagOrDigest, CancellationToken cancellationToken)
    {
        var url = Api(access, reference, "manifests/" + tagOrDigest);
        var what = "manifest " + tagOrDigest;
        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.ReadTimeout);
        try
        {
            using var response = await SendAsync(reference, access, url, MediaTypes.Accepted, what, limit.Token).ConfigureAwait(false);
            await EnsureSuccessAsync(response, reference, what, limit.Token).ConfigureAwait(false);
            var bytes = await ReadLimitedAsync(response, MaxManifestBytes, reference, what, limit.Token).ConfigureAwait(false);
            var actual = "sha256:" + Convert.ToHexStringLower(SHA256.HashData(bytes));
            if (ImageReference.IsSha256Digest(tagOrDigest) && actual != tagOrDigest)
            {
                throw new RegistryDigestMismatchException(reference.Registry, reference.Repository, tagOrDigest, actual,
                    $"{reference}: the manifest asked for as {tagOrDigest} arrived with the sha256 {actual}: the registry's store is damaged, or the pinned digest is wrong. Nothing was used.");
            }

            // distribution-spec: Docker-Content-Digest, when sent, is the digest of the bytes in the body.
            if (response.Headers.TryGetValues("Docker-Content-Digest", out var sent) && sent.FirstOrDefault() is { Length: > 0 } header && header != actual)
            {
                throw new RegistryDigestMismatchException(reference.Registry, reference.Repository, header, actual,
                    $"{reference}: the registry says manifest {tagOrDigest} is {header}, but its bytes have the sha256 {actual}.");
            }

            return new FetchedManifest(bytes, actual, response.Content.Headers.ContentType?.MediaType);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository,
                $"{reference}: no complete answer for {what} within {_options.ReadTimeout} from {access.BaseAddress}. Try again; check the network or proxy.", null, e);
        }
    }

    /// <summary>A GET to the registry, authenticated as its 401 asks, following redirects; the caller checks the status.</summary>
    private async Task<HttpResponseMessage> SendAsync(ImageReference reference, RegistryAccess access, Uri url, IReadOnlyList<string>? accept, string what, CancellationToken cancellationToken)
    {
        var key = access.BaseAddress.GetLeftPart(UriPartial.Authority) + " " + reference.Repository;
        _authorizations.TryGetValue(key, out var authorization);
        var response = await SendFollowingRedirectsAsync(reference, access, url, accept, what, authorization, cancellationToken).ConfigureAwait(false);
        var fromRegistry = SameOrigin(response.RequestMessage?.RequestUri, access.BaseAddress);
        if (response.StatusCode == HttpStatusCode.Forbidden && fromRegistry)
        {
            response.Dispose();
            throw Refused(reference, access, HttpStatusCode.Forbidden, authorization is not null);
        }

        // A 401 from elsewhere (object storage behind a redirect) is not a challenge to answer with our credentials.
        if (response.StatusCode != HttpStatusCode.Unauthorized || !fromRegistry)
        {
            return response;
        }

        var challenges = AuthenticationChallenge.From(response.Headers.WwwAuthenticate);
        response.Dispose();
        authorization = await AuthorizeAsync(reference, access, challenges, cancellationToken).ConfigureAwait(false);
        response = await SendFollowingRedirectsAsync(reference, access, url, accept, what, authorization, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
        {
            var status = response.StatusCode;
            response.Dispose();
            _authorizations.TryRemove(key, out _);
            throw Refused(reference, access, status, authenticated: true);
        }

        _authorizations[key] = authorization;
        return response;
    }

    private async Task<HttpResponseMessage> SendFollowingRedirectsAsync(ImageReference reference, RegistryAccess access, Uri url, IReadOnlyList<string>? accept, string what, AuthenticationHeaderValue? authorization, CancellationToken cancellationToken)
    {
        for (var hop = 0; ; hop++)
        {
            using var request = new HttpRequestMessage(HttpMethod.Get, url);
            foreach (var type in accept ?? [])
            {
                request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue(type));
            }

            // Our credentials and tokens are for the registry only: a redirect to object storage on another host gets none.
            if (authorization is not null && SameOrigin(url, access.BaseAddress))
            {
                request.Headers.Authorization = authorization;
            }

            HttpResponseMessage response;
            try
            {
                response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
            }
            catch (HttpRequestException e) when (e.HttpRequestError == HttpRequestError.SecureConnectionError)
            {
                throw new RegistryTransferException(reference.Registry, reference.Repository,
                    $"{reference}: no TLS connection to {url.GetLeftPart(UriPartial.Authority)} ({e.InnerException?.Message ?? e.Message}). If its certificate is signed by a private CA, trust that CA; if it speaks plain http, say so.", null, e);
            }
            catch (HttpRequestException e) when (e.HttpRequestError is HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError)
            {
                throw new RegistryTransferException(reference.Registry, reference.Repository,
                    $"{reference}: cannot reach {url.GetLeftPart(UriPartial.Authority)} for {what} ({e.Message}). Check the registry's address, that it is up, and whether it speaks https or plain http.", null, e);
            }
            catch (HttpRequestException e)
            {
                throw new RegistryTransferException(reference.Registry, reference.Repository,
                    $"{reference}: the connection to {url.GetLeftPart(UriPartial.Authority)} broke while asking for {what} ({e.Message}). Try again.", null, e);
            }

            if ((int)response.StatusCode is not (301 or 302 or 303 or 307 or 308) || response.Headers.Location is not { } location)
            {
                return response;
            }

            response.Dispose();
            if (hop >= MaxRedirects)
            {
                throw new RegistryTransferException(reference.Registry, reference.Repository, $"{reference}: more than {MaxRedirects} redirects from {url.GetLeftPart(UriPartial.Authority)}.");
            }

            url = location.IsAbsoluteUri ? location : new Uri(url, location);
            if (url.Scheme is not ("http" or "https"))
            {
                throw new RegistryTransferException(reference.Registry, reference.Repository, $"{reference}: the registry redirected to a {url.Scheme} URL, which cannot be followed.");
            }
        }
    }

    private async Task<AuthenticationHeaderValue> AuthorizeAsync(ImageReference reference, RegistryAccess access, IReadOnlyList<AuthenticationChallenge> challenges, CancellationToken cancellationToken)
    {
        var credentials = access.Credentials;
        var bearer = challenges.FirstOrDefault(c => c.IsBearer);
        if (bearer is not null)
        {
            return new AuthenticationHeaderValue("Bearer", await FetchTokenAsync(reference, access, bearer, cancellationToken).ConfigureAwait(false));
        }

        if (challenges.Any(c => c.IsBasic))
        {
            return credentials is null
                ? throw CredentialsRequired(reference, access, "Basic")
                : Basic(credentials);
        }

        throw new RegistryAuthenticationException(reference.Registry, reference.Repository,
            $"{reference.Registry} answered 401 for {reference.Repository} with {(challenges.Count == 0 ? "no WWW-Authenticate challenge" : "only the challenge(s) " + string.Join(", ", challenges.Select(c => c.Scheme)))}; only Bearer and Basic are supported.",
            HttpStatusCode.Unauthorized);
    }

    /// <summary>distribution's docs/spec/auth/token.md: GET the realm with service and scope; the answer's <c>token</c> (or OAuth2's <c>access_token</c>).</summary>
    private async Task<string> FetchTokenAsync(ImageReference reference, RegistryAccess access, AuthenticationChallenge challenge, CancellationToken cancellationToken)
    {
        if (!Uri.TryCreate(challenge["realm"], UriKind.Absolute, out var realm) || realm.Scheme is not ("http" or "https"))
        {
            throw new RegistryAuthenticationException(reference.Registry, reference.Repository,
                $"{reference.Registry} asked for a token, but its challenge has no usable http(s) realm ('{challenge["realm"]}').", HttpStatusCode.Unauthorized);
        }

        var query = new StringBuilder(realm.Query.Length > 1 ? realm.Query[1..] + "&" : "");
        if (challenge["service"] is { } service)
        {
            query.Append("service=").Append(Uri.EscapeDataString(service)).Append('&');
        }

        query.Append("scope=").Append(Uri.EscapeDataString($"repository:{reference.Repository}:pull"));
        var url = new UriBuilder(realm) { Query = query.ToString() }.Uri;
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        if (access.Credentials is { } credentials)
        {
            request.Headers.Authorization = Basic(credentials);
        }

        using var limit = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        limit.CancelAfter(_options.ReadTimeout);
        var server = realm.GetLeftPart(UriPartial.Authority);
        try
        {
            using var response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, limit.Token).ConfigureAwait(false);
            if (response.StatusCode is HttpStatusCode.Unauthorized or HttpStatusCode.Forbidden)
            {
                if (access.Credentials is null)
                {
                    throw CredentialsRequired(reference, access, "Bearer token (from " + server + ")");
                }

                throw new RegistryAuthenticationException(reference.Registry, reference.Repository,
                    $"The token server {server} of {reference.Registry} refused user '{access.Credentials.Username}' for pulling {reference.Repository} ({(int)response.StatusCode}): check the username and password.{Hint(access)}",
                    response.StatusCode);
            }

            if (!response.IsSuccessStatusCode)
            {
                throw new RegistryTransferException(reference.Registry, reference.Repository,
                    $"{reference}: the token server {server} answered {(int)response.StatusCode} {response.ReasonPhrase}.", response.StatusCode);
            }

            var body = await ReadLimitedAsync(response, MaxTokenBytes, reference, "token", limit.Token).ConfigureAwait(false);
            using var json = JsonDocument.Parse(body);
            foreach (var name in (string[])["token", "access_token"])
            {
                if (json.RootElement.ValueKind == JsonValueKind.Object && json.RootElement.TryGetProperty(name, out var token)
                    && token.ValueKind == JsonValueKind.String && token.GetString() is { Length: > 0 } value)
                {
                    return value;
                }
            }

            throw new RegistryAuthenticationException(reference.Registry, reference.Repository,
                $"The token server {server} of {reference.Registry} answered without a token.", response.StatusCode);
        }
        catch (JsonException e)
        {
            throw new RegistryAuthenticationException(reference.Registry, reference.Repository,
                $"The token server {server} of {reference.Registry} answered something that is not JSON ({e.Message}).", null);
        }
        catch (HttpRequestException e)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository,
                $"{reference}: cannot reach the token server {server} ({e.Message}).", null, e);
        }
        catch (OperationCanceledException e) when (!cancellationToken.IsCancellationRequested)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository,
                $"{reference}: the token server {server} gave no answer within {_options.ReadTimeout}.", null, e);
        }
    }

    private static async Task EnsureSuccessAsync(HttpResponseMessage response, ImageReference reference, string what, CancellationToken cancellationToken)
    {
        if (response.IsSuccessStatusCode)
        {
            return;
        }

        var codes = await ErrorCodesAsync(response, cancellationToken).ConfigureAwait(false);
        if (response.StatusCode == HttpStatusCode.NotFound)
        {
            throw new RegistryNotFoundException(reference.Registry, reference.Repository, what,
                $"{reference}: {reference.Registry} has no {what} in {reference.Repository}{codes} (404). Check the name, tag or digest.");
        }

        throw new RegistryTransferException(reference.Registry, reference.Repository,
            $"{reference}: {reference.Registry} answered {(int)response.StatusCode} {response.ReasonPhrase} for {what}{codes}.", response.StatusCode);
    }

    /// <summary>The distribution-spec error codes of an error body (<c>{"errors":[{"code":"MANIFEST_UNKNOWN",...}]}</c>), as " (CODE, ...)".</summary>
    private static async Task<string> ErrorCodesAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            var body = await response.Content.ReadAsByteArrayAsync(cancellationToken).ConfigureAwait(false);
            if (body.Length is 0 or > 64 * 1024)
            {
                return "";
            }

            using var json = JsonDocument.Parse(body);
            if (json.RootElement.ValueKind != JsonValueKind.Object || !json.RootElement.TryGetProperty("errors", out var errors) || errors.ValueKind != JsonValueKind.Array)
            {
                return "";
            }

            var codes = errors.EnumerateArray()
                .Where(e => e.ValueKind == JsonValueKind.Object && e.TryGetProperty("code", out var c) && c.ValueKind == JsonValueKind.String)
                .Select(e => e.GetProperty("code").GetString())
                .ToList();
            return codes.Count == 0 ? "" : " (" + string.Join(", ", codes) + ")";
        }
        catch (Exception e) when (e is JsonException or IOException or HttpRequestException)
        {
            return "";
        }
    }

    private static async Task<byte[]> ReadLimitedAsync(HttpResponseMessage response, int limit, ImageReference reference, string what, CancellationToken cancellationToken)
    {
        if (response.Content.Headers.ContentLength > limit)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository, $"{reference}: the {what} is larger than {limit} bytes, which is refused.");
        }

        try
        {
            await using var body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            using var memory = new MemoryStream();
            var buffer = new byte[BufferSize];
            int read;
            while ((read = await body.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
            {
                if (memory.Length + read > limit)
                {
                    throw new RegistryTransferException(reference.Registry, reference.Repository, $"{reference}: the {what} is larger than {limit} bytes, which is refused.");
                }

                memory.Write(buffer, 0, read);
            }

            if (response.Content.Headers.ContentLength is { } length && memory.Length != length)
            {
                throw new RegistryTransferException(reference.Registry, reference.Repository, $"{reference}: the {what} ended after {memory.Length} of {length} bytes. Try again.");
            }

            return memory.ToArray();
        }
        catch (Exception e) when (e is IOException or HttpRequestException)
        {
            throw new RegistryTransferException(reference.Registry, reference.Repository, $"{reference}: the connection broke while reading the {what} ({e.Message}). Try again.", null, e);
        }
    }

    private static Uri Api(RegistryAccess access, ImageReference reference, string tail) =>
        new(access.BaseAddress, "v2/" + reference.Repository + "/" + tail);

    private static bool SameOrigin(Uri? url, Uri registry) =>
        url is not null && url.Scheme == registry.Scheme && url.Port == registry.Port
        && string.Equals(url.IdnHost, registry.IdnHost, StringComparison.OrdinalIgnoreCase);

    private static AuthenticationHeaderValue Basic(RegistryCredentials credentials) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials.Username + ":" + credentials.Password)));

    private static RegistryCredentialsRequiredException CredentialsRequired(ImageReference reference, RegistryAccess access, string scheme) =>
        new(reference.Registry, reference.Repository,
            $"{reference.Registry} wants credentials ({scheme}) to pull {reference.Repository}, and none were given. {access.CredentialsHint ?? "Give a username and password (or token) for this registry."}");

    private static RegistryAuthenticationException Refused(ImageReference reference, RegistryAccess access, HttpStatusCode status, bool authenticated)
    {
        var who = access.Credentials is null ? "anonymous access" : "user '" + access.Credentials.Username + "'";
        var advice = authenticated
            ? "check the username and password, and that the account may pull this repository."
            : "give credentials for this registry that may pull it.";
        return new RegistryAuthenticationException(reference.Registry, reference.Repository,
            $"{reference.Registry} refused {who} to {reference.Repository} ({(int)status}{(authenticated ? ", after authenticating" : "")}): {advice}{Hint(access)}", status);
    }

    private static string Hint(RegistryAccess access) => access.CredentialsHint is { } hint ? " " + hint : "";

    private static void RequireDigest(ImageReference reference, string digest)
    {
        if (!ImageReference.IsSha256Digest(digest))
        {
            throw new RegistryUnsupportedManifestException(reference.Registry, reference.Repository, UnsupportedManifestReason.Malformed,
                $"{reference}: '{digest}' is not a sha256 digest (sha256: and 64 lower-case hex digits).");
        }
    }

    private static ImageDescriptor CheckConfig(ImageReference reference, string digest, ImageManifest image) =>
        MediaTypes.IsConfig(image.Config.MediaType)
            ? image.Config
            : throw new RegistryUnsupportedManifestException(reference.Registry, reference.Repository, UnsupportedManifestReason.UnknownMediaType,
                $"{reference} ({digest}): the config is a '{image.Config.MediaType}', not a container image config: this is an artifact, not an image.");

    private static IReadOnlyList<ImageDescriptor> CheckLayers(ImageReference reference, string digest, ImageManifest image)
    {
        foreach (var layer in image.Layers)
        {
            if (MediaTypes.IsForeignLayer(layer.MediaType) || image.ExternalLayers.Contains(layer.Digest))
            {
                throw new RegistryUnsupportedManifestException(reference.Registry, reference.Repository, UnsupportedManifestReason.ForeignLayer,
                    $"{reference} ({digest}): layer {layer.Digest} is a foreign (non-distributable) layer that the registry does not serve (a Windows base layer, typically): only linux images can be preloaded.");
            }

            if (!MediaTypes.IsLayer(layer.MediaType))
            {
                throw new RegistryUnsupportedManifestException(reference.Registry, reference.Repository, UnsupportedManifestReason.UnknownMediaType,
                    $"{reference} ({digest}): layer {layer.Digest} has the media type '{layer.MediaType}', which is not a (gzip or zstd) tar layer.");
            }
        }

        return image.Layers;
    }

    private static string Platforms(IndexManifest index) =>
        index.Entries.Count == 0 ? "no entries" : string.Join(", ", index.Entries.Select(e => e.Platform).Distinct(StringComparer.Ordinal));
}
