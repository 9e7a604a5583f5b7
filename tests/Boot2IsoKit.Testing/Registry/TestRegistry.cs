using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Testing.Registry;

/// <summary>
/// Debian's docker-registry (distribution 2.8) serving a directory on 127.0.0.1 on a free port, plain HTTP or TLS with
/// a certificate for 127.0.0.1 and 10.0.2.2 (QEMU's user network maps that address to this machine's loopback).
/// Two instances can serve one storage directory: an image pushed to the plain one is in both. The process is ended
/// on dispose.
/// </summary>
internal sealed class TestRegistry : IDisposable
{
    private readonly Process _process;

    private TestRegistry(Process process, int port, bool tls)
    {
        _process = process;
        Port = port;
        Tls = tls;
    }

    public int Port { get; }

    public bool Tls { get; }

    /// <summary>The registry as the host's dockerd names it.</summary>
    public string HostAddress => string.Create(CultureInfo.InvariantCulture, $"127.0.0.1:{Port}");

    /// <summary>The registry as a QEMU guest names it.</summary>
    public string GuestAddress => string.Create(CultureInfo.InvariantCulture, $"10.0.2.2:{Port}");

    /// <param name="storage">The directory of blobs and repositories.</param>
    /// <param name="authority">With TLS: the CA (with its private key) that signs the server's certificate; null for plain HTTP.</param>
    public static Task<TestRegistry> StartAsync(string work, string storage, X509Certificate2? authority, CancellationToken ct = default) =>
        StartAsync(work, storage, authority, auth: null, ct);

    /// <param name="auth">How clients must authenticate (distribution's <c>auth:</c> configuration); null: anonymous.</param>
    public static async Task<TestRegistry> StartAsync(string work, string storage, X509Certificate2? authority, TestRegistryAuth? auth, CancellationToken ct = default)
    {
        ArgumentNullException.ThrowIfNull(work);
        var program = ExternalTool.Find("docker-registry") ?? throw new MissingToolException("docker-registry (Debian package docker-registry)");
        var port = FreePort();
        var directory = Directory.CreateDirectory(Path.Combine(work, string.Create(CultureInfo.InvariantCulture, $"registry-{port}"))).FullName;
        var tls = "";
        if (authority is not null)
        {
            var (certificate, key) = ServerCertificate(authority);
            await File.WriteAllTextAsync(Path.Combine(directory, "server.crt"), certificate, ct).ConfigureAwait(false);
            await File.WriteAllTextAsync(Path.Combine(directory, "server.key"), key, ct).ConfigureAwait(false);
            tls = $"  tls:\n    certificate: {directory}/server.crt\n    key: {directory}/server.key\n";
        }

        var config = Path.Combine(directory, "config.yml");
        await File.WriteAllTextAsync(config, string.Create(CultureInfo.InvariantCulture, $"""
            version: 0.1
            log:
              level: warn
            storage:
              filesystem:
                rootdirectory: {storage}
            http:
              addr: 127.0.0.1:{port}

            """) + tls + (auth?.ConfigSection() ?? ""), ct).ConfigureAwait(false);
        var start = new ProcessStartInfo(program, ["serve", config])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        var process = Process.Start(start) ?? throw new InvalidOperationException("docker-registry did not start");
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        var registry = new TestRegistry(process, port, authority is not null);
        try
        {
            await registry.WaitListeningAsync(ct).ConfigureAwait(false);
            return registry;
        }
        catch
        {
            registry.Dispose();
            throw;
        }
    }

    /// <summary>A one-file image made with <c>docker import</c>, pushed by the host's dockerd (127.0.0.0/8 is insecure by default) and untagged again.</summary>
    /// <returns>The repository and tag, e.g. <c>b2ik/tiny:1</c>.</returns>
    public async Task<string> PushTinyImageAsync(string work, CancellationToken ct = default)
    {
        var tar = Path.Combine(work, "tiny-image.tar");
        var content = Path.Combine(work, "tiny-image");
        Directory.CreateDirectory(content);
        await File.WriteAllTextAsync(Path.Combine(content, "hello.txt"), "pushed by a Boot2IsoKit test\n", ct).ConfigureAwait(false);
        await ExternalTool.RunCheckedAsync("tar", ["-C", content, "-cf", tar, "hello.txt"], cancellationToken: ct).ConfigureAwait(false);
        const string Name = "b2ik/tiny:1";
        var tag = HostAddress + "/" + Name;
        await ExternalTool.RunCheckedAsync("docker", ["import", tar, tag], cancellationToken: ct).ConfigureAwait(false);
        try
        {
            await ExternalTool.RunCheckedAsync("docker", ["push", tag], timeout: TimeSpan.FromMinutes(2), cancellationToken: ct).ConfigureAwait(false);
        }
        finally
        {
            await ExternalTool.RunAsync("docker", ["rmi", tag], cancellationToken: ct).ConfigureAwait(false);
        }

        return Name;
    }

    /// <summary>The registry's API root as a client names it: <c>http(s)://127.0.0.1:port/</c>.</summary>
    public Uri BaseAddress => new((Tls ? "https://" : "http://") + HostAddress + "/");

    public void Dispose()
    {
        try
        {
            if (!_process.HasExited)
            {
                _process.Kill();
                _process.WaitForExit(TimeSpan.FromSeconds(10));
            }
        }
        catch (InvalidOperationException)
        {
            // Already gone.
        }

        _process.Dispose();
    }

    /// <summary>A CA with its key, made here, valid for a day.</summary>
    public static X509Certificate2 MakeAuthority(string name)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        request.CertificateExtensions.Add(new X509SubjectKeyIdentifierExtension(request.PublicKey, false));
        return request.CreateSelfSigned(DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddDays(1));
    }

    private static (string Certificate, string Key) ServerCertificate(X509Certificate2 authority)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest("CN=b2ik test registry", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        var names = new SubjectAlternativeNameBuilder();
        names.AddIpAddress(IPAddress.Loopback);
        names.AddIpAddress(IPAddress.Parse("10.0.2.2"));
        request.CertificateExtensions.Add(names.Build());
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(false, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.DigitalSignature | X509KeyUsageFlags.KeyEncipherment, true));
        request.CertificateExtensions.Add(new X509EnhancedKeyUsageExtension([new Oid("1.3.6.1.5.5.7.3.1")], false));
        var serial = RandomNumberGenerator.GetBytes(16);
        serial[0] &= 0x7F;
        using var certificate = request.Create(authority, DateTimeOffset.UtcNow.AddHours(-1), DateTimeOffset.UtcNow.AddHours(12), serial);
        return (certificate.ExportCertificatePem() + "\n", key.ExportPkcs8PrivateKeyPem() + "\n");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private async Task WaitListeningAsync(CancellationToken ct)
    {
        for (var attempt = 0; attempt < 100; attempt++)
        {
            if (_process.HasExited)
            {
                throw new InvalidOperationException($"docker-registry on port {Port} exited with {_process.ExitCode}");
            }

            try
            {
                using var client = new TcpClient();
                await client.ConnectAsync(IPAddress.Loopback, Port, ct).ConfigureAwait(false);
                return;
            }
            catch (SocketException)
            {
                await Task.Delay(TimeSpan.FromMilliseconds(200), ct).ConfigureAwait(false);
            }
        }

        throw new InvalidOperationException($"docker-registry never listened on 127.0.0.1:{Port}");
    }
}

/// <summary>distribution's <c>auth:</c> section (docs/configuration.md): who the registry lets in.</summary>
internal abstract record TestRegistryAuth
{
    public abstract string ConfigSection();

    /// <summary><c>auth: htpasswd</c>: HTTP basic against a bcrypt htpasswd file (the only hash distribution accepts).</summary>
    public sealed record Htpasswd(string File) : TestRegistryAuth
    {
        public override string ConfigSection() => $"auth:\n  htpasswd:\n    realm: b2ik-test\n    path: {File}\n";
    }

    /// <summary><c>auth: token</c>: bearer tokens from <paramref name="Realm"/>, signed by a key whose certificate chains to <paramref name="RootCertBundle"/>.</summary>
    public sealed record Token(Uri Realm, string Service, string Issuer, string RootCertBundle) : TestRegistryAuth
    {
        public override string ConfigSection() =>
            $"auth:\n  token:\n    realm: {Realm}\n    service: {Service}\n    issuer: {Issuer}\n    rootcertbundle: {RootCertBundle}\n";
    }
}
