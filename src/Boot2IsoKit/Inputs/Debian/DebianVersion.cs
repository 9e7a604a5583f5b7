namespace Boot2IsoKit.Inputs.Debian;

/// <summary>Compares Debian version strings ([epoch:]upstream[-revision]) the way dpkg does.</summary>
internal static class DebianVersion
{
    public static int Compare(string a, string b)
    {
        ArgumentNullException.ThrowIfNull(a);
        ArgumentNullException.ThrowIfNull(b);
        var (epochA, upstreamA, revisionA) = Split(a);
        var (epochB, upstreamB, revisionB) = Split(b);
        var c = epochA.CompareTo(epochB);
        if (c != 0)
        {
            return c;
        }

        c = ComparePart(upstreamA, upstreamB);
        return c != 0 ? c : ComparePart(revisionA, revisionB);
    }

    /// <summary>True when <paramref name="version"/> satisfies "op constraint" (op one of &lt;&lt; &lt;= = &gt;= &gt;&gt;, and the obsolete &lt; &gt;).</summary>
    public static bool Satisfies(string version, string op, string constraint)
    {
        var c = Compare(version, constraint);
        return op switch
        {
            "<<" => c < 0,
            "<=" or "<" => c <= 0,
            "=" => c == 0,
            ">=" or ">" => c >= 0,
            ">>" => c > 0,
            _ => true,
        };
    }

    private static (long Epoch, string Upstream, string Revision) Split(string version)
    {
        var colon = version.IndexOf(':', StringComparison.Ordinal);
        long epoch = 0;
        if (colon > 0 && long.TryParse(version.AsSpan(0, colon), out var parsed))
        {
            epoch = parsed;
        }

        var rest = version[(colon + 1)..];
        var dash = rest.LastIndexOf('-');
        return dash < 0 ? (epoch, rest, "") : (epoch, rest[..dash], rest[(dash + 1)..]);
    }

    private static int ComparePart(string a, string b)
    {
        int i = 0, j = 0;
        while (i < a.Length || j < b.Length)
        {
            // Non-digit run: letters sort before non-letters, '~' before everything, even the end.
            while ((i < a.Length && !char.IsAsciiDigit(a[i])) || (j < b.Length && !char.IsAsciiDigit(b[j])))
            {
                var ca = i < a.Length && !char.IsAsciiDigit(a[i]) ? Order(a[i]) : 0;
                var cb = j < b.Length && !char.IsAsciiDigit(b[j]) ? Order(b[j]) : 0;
                if (ca != cb)
                {
                    return ca - cb;
                }

                i++;
                j++;
            }

            while (i < a.Length && a[i] == '0')
            {
                i++;
            }

            while (j < b.Length && b[j] == '0')
            {
                j++;
            }

            var diff = 0;
            while (i < a.Length && char.IsAsciiDigit(a[i]) && j < b.Length && char.IsAsciiDigit(b[j]))
            {
                if (diff == 0)
                {
                    diff = a[i] - b[j];
                }

                i++;
                j++;
            }

            if (i < a.Length && char.IsAsciiDigit(a[i]))
            {
                return 1;
            }

            if (j < b.Length && char.IsAsciiDigit(b[j]))
            {
                return -1;
            }

            if (diff != 0)
            {
                return diff;
            }
        }

        return 0;
    }

    private static int Order(char c) => c switch
    {
        '~' => -1,
        _ when char.IsAsciiLetter(c) => c,
        _ => c + 256,
    };
}
