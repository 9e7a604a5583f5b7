using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Boot2IsoKit.Stages.Verification;

/// <summary>
/// A key pair made for one Verify run: RSA 2048, as docker-machine makes for each machine
/// (libmachine/ssh/keys.go). The public half goes into the userdata tar's authorized_keys.
/// </summary>
internal sealed class SshKeyPair
{
    private SshKeyPair(string privateKeyPem, string authorizedKeyLine)
    {
        PrivateKeyPem = privateKeyPem;
        AuthorizedKeyLine = authorizedKeyLine;
    }

    /// <summary>PKCS#1 PEM, as SSH.NET reads it.</summary>
    public string PrivateKeyPem { get; }

    /// <summary>"ssh-rsa AAAA... comment\n", one line of authorized_keys.</summary>
    public string AuthorizedKeyLine { get; }

    public static SshKeyPair Generate(string comment)
    {
        using var rsa = RSA.Create(2048);
        var parameters = rsa.ExportParameters(includePrivateParameters: false);
        // RFC 4253 §6.6: string "ssh-rsa", mpint e, mpint n.
        using var blob = new MemoryStream();
        WriteString(blob, Encoding.ASCII.GetBytes("ssh-rsa"));
        WriteMpint(blob, parameters.Exponent!);
        WriteMpint(blob, parameters.Modulus!);
        return new SshKeyPair(rsa.ExportRSAPrivateKeyPem(), $"ssh-rsa {Convert.ToBase64String(blob.ToArray())} {comment}\n");
    }

    private static void WriteString(Stream stream, ReadOnlySpan<byte> bytes)
    {
        Span<byte> length = stackalloc byte[4];
        BinaryPrimitives.WriteInt32BigEndian(length, bytes.Length);
        stream.Write(length);
        stream.Write(bytes);
    }

    /// <summary>An unsigned big-endian integer as an SSH mpint: a leading zero byte when the top bit is set.</summary>
    private static void WriteMpint(Stream stream, byte[] magnitude)
    {
        var start = 0;
        while (start < magnitude.Length - 1 && magnitude[start] == 0)
        {
            start++;
        }

        var trimmed = magnitude.AsSpan(start);
        if ((trimmed[0] & 0x80) != 0)
        {
            WriteString(stream, [0, .. trimmed]);
        }
        else
        {
            WriteString(stream, trimmed);
        }
    }
}
