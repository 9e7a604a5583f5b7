using System.Net.Http.Headers;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using System.Text.Json;
using Boot2IsoKit.Testing.Http;
using Microsoft.AspNetCore.Http;

namespace Boot2IsoKit.Testing.Registry;

/// <summary>
/// A registry token server (distribution's docs/spec/auth/token.md and jwt.md) on 127.0.0.1: <c>GET /token?service=…&amp;scope=…</c>
/// with HTTP basic → <c>{"token": …}</c>, an RS256 JWT whose header carries the signing certificate (<c>x5c</c>), issued by a
/// CA whose certificate is <see cref="RootCertBundle"/>. distribution 2.8 checks <c>iss</c>, <c>aud</c> (its service),
/// <c>exp</c>/<c>nbf</c>, the chain to its rootcertbundle and the signature (registry/auth/token/token.go), then the
/// <c>access</c> claim against the request. Wrong credentials, or <see cref="Refuse"/>, → 401.
/// </summary>
internal sealed class TestTokenServer : IAsyncDisposable
{
    public const string Service = "b2ik-test-registry";
    public const string Issuer = "b2ik-test-token-issuer";

    private readonly LoopbackHttpServer _server;
    private readonly RSA _key;
    private readonly string _certificate;

    private TestTokenServer(LoopbackHttpServer server, RSA key, string certificate, string bundle, string username, string password)
    {
        _server = server;
        _key = key;
        _certificate = certificate;
        RootCertBundle = bundle;
        Username = username;
        Password = password;
    }

    public string Username { get; }

    public string Password { get; }

    /// <summary>The PEM file of the CA that signed the token key's certificate: the registry's <c>rootcertbundle</c>.</summary>
    public string RootCertBundle { get; }

    public Uri Realm => _server.Url("token");

    /// <summary>When set, every token request is refused with 401.</summary>
    public bool Refuse { get; set; }

    public IReadOnlyCollection<RecordedRequest> Requests => _server.Requests;

    /// <summary>The registry configuration that trusts this server.</summary>
    public TestRegistryAuth Auth => new TestRegistryAuth.Token(Realm, Service, Issuer, RootCertBundle);

    public static async Task<TestTokenServer> StartAsync(string work, string username, string password)
    {
        using var authority = TestRegistry.MakeAuthority("B2IK Test Token CA");
        var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=b2ik test token signer", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature, true));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var signer = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        var bundle = Path.Combine(work, "token-ca.pem");
        await File.WriteAllTextAsync(bundle, authority.ExportCertificatePem() + "\n");
        var certificate = Convert.ToBase64String(signer.RawData);
        TestTokenServer? self = null;
        var server = await LoopbackHttpServer.StartAsync(context => self!.AnswerAsync(context));
        self = new TestTokenServer(server, key, certificate, bundle, username, password);
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        await _server.DisposeAsync();
        _key.Dispose();
    }

    private async Task AnswerAsync(HttpContext context)
    {
        if (Refuse || !Authorized(context.Request.Headers.Authorization.ToString()))
        {
            context.Response.StatusCode = StatusCodes.Status401Unauthorized;
            await context.Response.WriteAsync("""{"details":"incorrect username or password"}""");
            return;
        }

        // scope=repository:<name>:<actions> (distribution's docs/spec/auth/scope.md); only pull is granted.
        var access = context.Request.Query["scope"]
            .Select(s => s!.Split(':'))
            .Where(p => p.Length == 3 && p[0] == "repository")
            .Select(p => new { type = "repository", name = p[1], actions = p[2].Split(',').Where(a => a == "pull").ToArray() })
            .ToArray();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var header = new { typ = "JWT", alg = "RS256", x5c = new[] { _certificate } };
        var claims = new
        {
            iss = Issuer,
            sub = Username,
            aud = context.Request.Query["service"].ToString(),
            exp = now + 300,
            nbf = now - 10,
            iat = now,
            jti = Guid.NewGuid().ToString("N"),
            access,
        };
        var signed = Base64Url(JsonSerializer.SerializeToUtf8Bytes(header)) + "." + Base64Url(JsonSerializer.SerializeToUtf8Bytes(claims));
        var signature = _key.SignData(Encoding.ASCII.GetBytes(signed), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        context.Response.ContentType = "application/json";
        await context.Response.WriteAsync(JsonSerializer.Serialize(new { token = signed + "." + Base64Url(signature), expires_in = 300 }));
    }

    private bool Authorized(string authorization)
    {
        if (!AuthenticationHeaderValue.TryParse(authorization, out var value) || value.Scheme != "Basic" || value.Parameter is null)
        {
            return false;
        }

        var pair = Encoding.UTF8.GetString(Convert.FromBase64String(value.Parameter));
        return pair == Username + ":" + Password;
    }

    private static string Base64Url(byte[] bytes) => Convert.ToBase64String(bytes).TrimEnd('=').Replace('+', '-').Replace('/', '_');
}
