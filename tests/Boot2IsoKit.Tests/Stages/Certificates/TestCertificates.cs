using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;

namespace Boot2IsoKit.Tests.Stages.Certificates;

/// <summary>Certificates and keys made in the test with .NET's own X.509 builder, written as PEM files.</summary>
internal static class TestCertificates
{
    /// <summary>A self-signed CA valid from <paramref name="notBefore"/> to <paramref name="notAfter"/>, with its key.</summary>
    public static X509Certificate2 Authority(string name, DateTimeOffset notBefore, DateTimeOffset notAfter)
    {
        using var key = RSA.Create(2048);
        var request = new CertificateRequest($"CN={name}", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        request.CertificateExtensions.Add(new X509BasicConstraintsExtension(true, false, 0, true));
        request.CertificateExtensions.Add(new X509KeyUsageExtension(X509KeyUsageFlags.KeyCertSign | X509KeyUsageFlags.CrlSign, true));
        return request.CreateSelfSigned(notBefore, notAfter);
    }

    /// <summary>A CA valid now for a year.</summary>
    public static X509Certificate2 Authority(string name) => Authority(name, DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddYears(1));

    public static string Pem(X509Certificate2 certificate) => certificate.ExportCertificatePem() + "\n";

    public static string Write(string directory, string name, string text)
    {
        var path = Path.Combine(directory, name);
        File.WriteAllText(path, text);
        return path;
    }
}
