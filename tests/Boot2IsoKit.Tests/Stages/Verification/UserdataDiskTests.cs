using Boot2IsoKit.Stages.Verification;
using Boot2IsoKit.Testing.Tools;
using Boot2IsoKit.Tests.Support;

namespace Boot2IsoKit.Tests.Stages.Verification;

/// <summary>docker-machine's userdata disk and the run's SSH key, read back by independent tools (busybox tar, ssh-keygen).</summary>
[System.Runtime.Versioning.UnsupportedOSPlatform("windows")]
public sealed class UserdataDiskTests : IDisposable
{
    private readonly string _work = Directory.CreateTempSubdirectory("b2ik-userdata-").FullName;

    public void Dispose() => Directory.Delete(_work, recursive: true);

    [Fact]
    public async Task The_first_4_KiB_of_the_disk_are_a_tar_that_starts_with_the_magic_and_holds_the_key()
    {
        Requires.Tools("busybox", "ssh-keygen");
        var ct = TestContext.Current.CancellationToken;
        var key = SshKeyPair.Generate("test");
        var disk = Path.Combine(_work, "disk.raw");

        UserdataDisk.Write(disk, key.AuthorizedKeyLine, 64L << 20);

        Assert.Equal(64L << 20, new FileInfo(disk).Length);
        var header = new byte[UserdataDisk.Magic.Length];
        await using (var stream = File.OpenRead(disk))
        {
            stream.ReadExactly(header);
        }

        Assert.Equal(UserdataDisk.Magic, System.Text.Encoding.ASCII.GetString(header));

        // What boot2docker's autoformat does: keep the first 4096 bytes as userdata.tar, extract it with the guest's tar.
        var userdata = Path.Combine(_work, "userdata.tar");
        await using (var source = File.OpenRead(disk))
        await using (var target = File.Create(userdata))
        {
            var bytes = new byte[UserdataDisk.SavedBytes];
            source.ReadExactly(bytes);
            target.Write(bytes);
        }

        var listing = await ExternalTool.RunCheckedAsync("busybox", ["tar", "-tf", userdata], cancellationToken: ct);
        Assert.Equal([UserdataDisk.Magic, ".ssh", ".ssh/authorized_keys", ".ssh/authorized_keys2"], listing.StandardOutput.Split('\n', StringSplitOptions.RemoveEmptyEntries));
        var home = Directory.CreateDirectory(Path.Combine(_work, "home")).FullName;
        await ExternalTool.RunCheckedAsync("busybox", ["tar", "-xf", userdata, "-C", home], cancellationToken: ct);
        var authorized = Path.Combine(home, ".ssh", "authorized_keys");
        Assert.Equal(key.AuthorizedKeyLine, await File.ReadAllTextAsync(authorized, ct));

        // ssh-keygen reads the public line, and derives the same public key from the private PEM.
        var fingerprint = await ExternalTool.RunCheckedAsync("ssh-keygen", ["-l", "-f", authorized], cancellationToken: ct);
        Assert.Contains("2048 SHA256:", fingerprint.StandardOutput, StringComparison.Ordinal);
        Assert.EndsWith("(RSA)", fingerprint.StandardOutput.Trim(), StringComparison.Ordinal);
        var privateKey = Path.Combine(_work, "id_rsa");
        await File.WriteAllTextAsync(privateKey, key.PrivateKeyPem, ct);
        File.SetUnixFileMode(privateKey, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        var derived = await ExternalTool.RunCheckedAsync("ssh-keygen", ["-y", "-f", privateKey], cancellationToken: ct);
        Assert.Equal(key.AuthorizedKeyLine.Split(' ')[1], derived.StandardOutput.Trim().Split(' ')[1]);
    }

    [Theory]
    [InlineData("20.10.24", "20.10.24", true)]
    [InlineData("20.10.24+dfsg1", "20.10.24", true)]
    [InlineData("20.10.25", "20.10.24", false)]
    [InlineData("20.10.241", "20.10.24", false)]
    [InlineData("19.03.12", "20.10.24", false)]
    public void The_server_version_matches_the_pin_up_to_build_metadata(string server, string pinned, bool matches) =>
        Assert.Equal(matches, IsoVerifier.EngineVersionMatches(server, pinned));
}
