using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text;
using Boot2IsoKit.Model.Layouts;
using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Model.Rootfs;
using Boot2IsoKit.Plumbing.Errors;
using Boot2IsoKit.Plumbing.IO;

namespace Boot2IsoKit.Stages.Certificates;

/// <summary>
/// The recipe's <c>certificates:</c> as rootfs entries the system trusts from the first boot, data disk or not.
/// boot2docker 19.03's files/bootsync.sh links each <c>/var/lib/boot2docker/certs/*.pem|*.crt</c> to
/// <c>/usr/local/share/ca-certificates/boot2docker/NAME.crt</c> and, when that directory exists, runs the
/// ca-certificates extension's <c>/usr/local/tce.installed/ca-certificates</c>, which rebuilds the bundle under
/// <c>/etc/ssl</c> (a link to <c>/usr/local/etc/ssl</c>, boot2docker's Dockerfile) that dockerd, curl and openssl read.
/// <c>/var/lib/boot2docker</c> is on the data disk once autoformat mounts it (files/init.d/autoformat removes the
/// rootfs copy), so the certificates go straight into that directory of the rootfs instead: its existence makes
/// bootsync.sh run the extension's script on every boot, and the user's own persisted certificates join them there.
/// </summary>
internal static class TrustedCertificates
{
    /// <summary>The directory bootsync.sh links certificates into (and tests for) before running the extension's script.</summary>
    public const string Directory = "usr/local/share/ca-certificates/boot2docker";

    /// <summary>Our files' prefix, so a user's persisted certificate of the same name never replaces one (bootsync.sh's <c>ln -sfT</c>).</summary>
    public const string FilePrefix = "recipe-";

    /// <summary>
    /// Reads and checks every file, then gives one 0644 entry per certificate (a PEM file may hold several: each
    /// becomes its own .crt, so the extension's rehash sees one certificate per file).
    /// </summary>
    /// <param name="resolve">Turns a recipe path into an absolute one.</param>
    /// <param name="now">What "expired" is measured against.</param>
    /// <param name="warn">Told about each expired certificate that is allowed.</param>
    /// <exception cref="InvalidInputException">A file that cannot be read, holds no certificate, holds a key or another PEM block, or an expired certificate not allowed.</exception>
    public static IReadOnlyList<RootfsEntry> Entries(IReadOnlyList<CertificateSpec> specs, IsoLayout layout, string recipe, Func<string, string> resolve, DateTimeOffset now, bool allowExpired, Action<string> warn, long timestamp)
    {
        ArgumentNullException.ThrowIfNull(specs);
        ArgumentNullException.ThrowIfNull(resolve);
        ArgumentNullException.ThrowIfNull(warn);
        if (specs.Count > 0 && layout == IsoLayout.Old)
        {
            // The legacy rc.d/install-ca-certs (boot2docker <= 18.06) only appends /var/lib/boot2docker/certs/* to the bundle at boot.
            throw new InvalidInputException(recipe, $"line {specs[0].Line}", "'certificates:' needs a boot2docker 18.09 or later base (its bootsync.sh installs certificates from the rootfs); this base has the legacy layout, whose rc.d/install-ca-certs only reads /var/lib/boot2docker/certs on the data disk");
        }

        var entries = new List<RootfsEntry>();
        var names = new HashSet<string>(StringComparer.Ordinal);
        foreach (var spec in specs)
        {
            var path = resolve(spec.File);
            var certificates = Read(path, now, allowExpired || spec.AllowExpired, warn);
            var stem = SafeStem(Path.GetFileNameWithoutExtension(path));
            for (var i = 0; i < certificates.Count; i++)
            {
                var name = FilePrefix + stem + (certificates.Count > 1 ? $"-{i + 1}" : "") + ".crt";
                if (!names.Add(name))
                {
                    throw new InvalidInputException(path, $"recipe line {spec.Line}", $"another certificate file is also installed as {name}: rename one of them");
                }

                entries.Add(RootfsEntry.File(Directory + "/" + name, BytesContent.FromText(certificates[i], "/" + Directory + "/" + name), origin: "certificates: " + spec.File) with { ModificationTime = timestamp });
            }
        }

        return entries;
    }

    /// <summary>The certificates of one PEM file, each re-encoded as PEM from its checked DER bytes.</summary>
    internal static IReadOnlyList<string> Read(string path, DateTimeOffset now, bool allowExpired, Action<string> warn)
    {
        string text;
        try
        {
            text = File.ReadAllText(path);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InvalidInputException(path, "file", "cannot be read: " + e.Message, e);
        }

        var certificates = new List<string>();
        var rest = text.AsMemory();
        var consumed = 0;
        while (PemEncoding.TryFind(rest.Span, out var fields))
        {
            var location = $"line {LineOf(text, consumed + fields.Location.Start.Value)}";
            var label = rest.Span[fields.Label].ToString();
            if (label.Contains("PRIVATE KEY", StringComparison.Ordinal))
            {
                throw new InvalidInputException(path, location, $"is a private key ({label}), not a certificate: a key never belongs in an ISO; give the CA's certificate");
            }

            if (label != "CERTIFICATE")
            {
                throw new InvalidInputException(path, location, $"is a PEM '{label}' block, not a CERTIFICATE");
            }

            var der = Convert.FromBase64String(rest.Span[fields.Base64Data].ToString());
            certificates.Add(Checked(der, path, location, now, allowExpired, warn));
            consumed += fields.Location.End.Value;
            rest = rest[fields.Location.End..];
        }

        return certificates.Count > 0
            ? certificates
            : throw new InvalidInputException(path, "file", "holds no PEM certificate (-----BEGIN CERTIFICATE----- ... -----END CERTIFICATE-----); a DER file can be converted with 'openssl x509 -inform der'");
    }

    private static string Checked(byte[] der, string path, string location, DateTimeOffset now, bool allowExpired, Action<string> warn)
    {
        X509Certificate2 certificate;
        try
        {
            certificate = X509CertificateLoader.LoadCertificate(der);
        }
        catch (CryptographicException e)
        {
            throw new InvalidInputException(path, location, "is not a readable X.509 certificate: " + e.Message, e);
        }

        using (certificate)
        {
            var notAfter = new DateTimeOffset(certificate.NotAfter.ToUniversalTime());
            if (notAfter < now)
            {
                var problem = $"certificate '{certificate.Subject}' expired on {notAfter:yyyy-MM-dd}";
                if (!allowExpired)
                {
                    throw new InvalidInputException(path, location, problem + ": TLS clients in the VM would refuse it (allow it with 'allow-expired: true' on this entry or --allow-expired-certificates)");
                }

                warn($"{path}: {location}: {problem}; baked in anyway, as allowed");
            }

            return PemEncoding.WriteString("CERTIFICATE", certificate.RawData) + "\n";
        }
    }

    private static int LineOf(string text, int offset) => 1 + text.AsSpan(0, offset).Count('\n');

    /// <summary>A file name the rootfs and the extension's scripts take as it is: letters, digits, '.', '_' and '-'.</summary>
    private static string SafeStem(string stem)
    {
        var safe = new StringBuilder(stem.Length);
        foreach (var c in stem)
        {
            safe.Append(char.IsAsciiLetterOrDigit(c) || c is '.' or '_' or '-' ? c : '_');
        }

        return safe.Length > 0 ? safe.ToString() : "certificate";
    }
}
