using System.Security.Cryptography.X509Certificates;
using Boot2IsoKit.Testing.Registry;
using Boot2IsoKit.Testing.Tools;

namespace Boot2IsoKit.Tests.Inputs.Registry;

/// <summary>
/// Three real registries (Debian's docker-registry, distribution 2.8) on 127.0.0.1 serving one storage directory:
/// anonymous, <c>auth: htpasswd</c> (a bcrypt file made by apache2-utils' htpasswd) and <c>auth: token</c> (trusting
/// <see cref="TestTokenServer"/>), and the tiny image pushed by the host's dockerd into the anonymous one. Started once for
/// the test class (with a fourth, anonymous over TLS); when a tool is missing, <see cref="Require"/> skips (or fails under CI).
/// </summary>
public sealed class RegistryFixture : IAsyncLifetime
{
    public const string Username = "b2ik";
    public const string Password = "Pa55-word-not-in-messages";

    private string? _missing;
    private TestRegistry? _anonymous;
    private TestRegistry? _tls;
    private TestRegistry? _basic;
    private TestRegistry? _token;
    private TestTokenServer? _tokenServer;

    public string Work { get; } = Directory.CreateTempSubdirectory("b2ik-registry-").FullName;

    public string Storage => Path.Combine(Work, "storage");

    internal TestRegistry Anonymous => _anonymous!;

    internal TestRegistry Basic => _basic!;

    /// <summary>Anonymous, over TLS with a certificate from <see cref="Authority"/>.</summary>
    internal TestRegistry Tls => _tls!;

    internal X509Certificate2 Authority { get; } = TestRegistry.MakeAuthority("B2IK Registry Client Test CA");

    internal TestRegistry Token => _token!;

    internal TestTokenServer TokenServer => _tokenServer!;

    /// <summary>The pushed image, e.g. <c>b2ik/tiny:1</c> (repository and tag; each registry serves it).</summary>
    public string Image { get; private set; } = "";

    public async ValueTask InitializeAsync()
    {
        foreach (var tool in (string[])["docker-registry", "docker", "htpasswd"])
        {
            if (ExternalTool.Find(tool) is null)
            {
                _missing = $"the tool '{tool}' is not installed (Debian packages docker-registry, docker.io, apache2-utils)";
                return;
            }
        }

        var ct = TestContext.Current.CancellationToken;
        Directory.CreateDirectory(Storage);
        _anonymous = await TestRegistry.StartAsync(Work, Storage, authority: null, ct);
        _tls = await TestRegistry.StartAsync(Work, Storage, Authority, ct);
        var htpasswd = await ExternalTool.RunCheckedAsync("htpasswd", ["-Bbn", Username, Password], cancellationToken: ct);
        var file = Path.Combine(Work, "htpasswd");
        await File.WriteAllTextAsync(file, htpasswd.StandardOutput, ct);
        _basic = await TestRegistry.StartAsync(Work, Storage, null, new TestRegistryAuth.Htpasswd(file), ct);
        _tokenServer = await TestTokenServer.StartAsync(Work, Username, Password);
        _token = await TestRegistry.StartAsync(Work, Storage, null, _tokenServer.Auth, ct);
        Image = await _anonymous.PushTinyImageAsync(Work, ct);
    }

    /// <summary>Call first in each test.</summary>
    public void Require()
    {
        if (_missing is not null)
        {
            Support.Requires.Missing(_missing);
        }
    }

    public async ValueTask DisposeAsync()
    {
        _anonymous?.Dispose();
        _tls?.Dispose();
        Authority.Dispose();
        _basic?.Dispose();
        _token?.Dispose();
        if (_tokenServer is not null)
        {
            await _tokenServer.DisposeAsync();
        }

        try
        {
            Directory.Delete(Work, recursive: true);
        }
        catch (IOException)
        {
            // Best effort: a temporary directory.
        }
        catch (UnauthorizedAccessException)
        {
            // dockerd-made files may not be ours to delete; the directory is temporary.
        }
    }
}
