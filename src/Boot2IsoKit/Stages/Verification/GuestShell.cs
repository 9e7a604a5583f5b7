using System.Diagnostics;
using System.Net.Sockets;
using System.Text;
using Renci.SshNet;
using Renci.SshNet.Common;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>What a command printed and returned in the guest.</summary>
internal sealed record GuestResult(int ExitCode, string Output, string Error)
{
    public string FirstLine => (Output.Length > 0 ? Output : Error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).FirstOrDefault() ?? "";

    public string LastLines(int count) => string.Join(" | ", (Output + Error).Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).TakeLast(count));
}

/// <summary>An SSH session into the guest as the docker user (SSH.NET), the way docker-machine logs in.</summary>
internal sealed class GuestShell : IDisposable
{
    private readonly SshClient _client;

    private GuestShell(SshClient client) => _client = client;

    /// <summary>Why the last attempt failed, for the row's detail when the wait ends.</summary>
    private sealed record Attempt(bool Refused, string Reason);

    /// <summary>
    /// Logs in, retrying while the guest boots, until <paramref name="deadline"/>. A refused login
    /// (the sshd answers but does not take the key) is retried for a short while only: boot2docker starts
    /// its sshd after the data disk is formatted, so a refusal means the key never reached the guest.
    /// </summary>
    /// <exception cref="GuestUnreachableException">No login before the deadline; says whether the port stayed closed or the login was refused.</exception>
    public static async Task<GuestShell> ConnectAsync(int port, string user, AuthenticationMethod authentication, TimeSpan deadline, Func<bool> vmRunning, Action<TimeSpan> waiting, CancellationToken ct)
    {
        var clock = Stopwatch.StartNew();
        var refusedSince = (TimeSpan?)null;
        var last = new Attempt(false, "the port never answered");
        var lastReport = TimeSpan.Zero;
        while (clock.Elapsed < deadline)
        {
            ct.ThrowIfCancellationRequested();
            if (!vmRunning())
            {
                throw new GuestUnreachableException("the VM stopped before SSH answered", refused: false);
            }

            var info = new ConnectionInfo("127.0.0.1", port, user, authentication) { Timeout = TimeSpan.FromSeconds(20) };
            var client = new SshClient(info);
            // The guest is this run's own VM on a loopback port, with host keys made at its first boot.
            client.HostKeyReceived += (_, e) => e.CanTrust = true;
            try
            {
                await client.ConnectAsync(ct).ConfigureAwait(false);
                return new GuestShell(client);
            }
            catch (SshAuthenticationException e)
            {
                client.Dispose();
                refusedSince ??= clock.Elapsed;
                last = new Attempt(true, e.Message);
                if (clock.Elapsed - refusedSince > TimeSpan.FromSeconds(20))
                {
                    break;
                }
            }
            catch (Exception e) when (e is SocketException or SshConnectionException or SshOperationTimeoutException or SshException or IOException or TimeoutException)
            {
                client.Dispose();
                last = new Attempt(false, e.Message);
            }

            if (clock.Elapsed - lastReport >= TimeSpan.FromSeconds(15))
            {
                lastReport = clock.Elapsed;
                waiting(clock.Elapsed);
            }

            await Task.Delay(TimeSpan.FromSeconds(2), ct).ConfigureAwait(false);
        }

        throw new GuestUnreachableException(
            last.Refused ? $"the guest's sshd refused the login as {user} ({last.Reason})" : $"no SSH answer on 127.0.0.1:{port} within {deadline.TotalSeconds:0} s ({last.Reason})",
            last.Refused);
    }

    public static AuthenticationMethod KeyLogin(string user, SshKeyPair key)
    {
        ArgumentNullException.ThrowIfNull(key);
        var pem = new MemoryStream(Encoding.ASCII.GetBytes(key.PrivateKeyPem));
        return new PrivateKeyAuthenticationMethod(user, new PrivateKeyFile(pem));
    }

    public static AuthenticationMethod PasswordLogin(string user, string password) => new PasswordAuthenticationMethod(user, password);

    public async Task<GuestResult> RunAsync(string command, TimeSpan timeout, CancellationToken ct)
    {
        using var ssh = _client.CreateCommand(command);
        ssh.CommandTimeout = timeout;
        try
        {
            await ssh.ExecuteAsync(ct).ConfigureAwait(false);
        }
        catch (SshOperationTimeoutException)
        {
            return new GuestResult(-1, ssh.Result, $"timed out after {timeout.TotalSeconds:0} s");
        }

        return new GuestResult(ssh.ExitStatus ?? -1, ssh.Result, ssh.Error);
    }

    public void Dispose() => _client.Dispose();
}

/// <summary>SSH never let us in; <see cref="Refused"/> tells a refused key from a closed port.</summary>
internal sealed class GuestUnreachableException(string message, bool refused) : Exception(message)
{
    public bool Refused { get; } = refused;
}
