namespace Boot2IsoKit.Tests.Support;

/// <summary>
/// Text-like bytes for compressor tests: seeded random words from a small vocabulary, so the data repeats the
/// way text does (what deflate and LZMA find matches in), the same on every run.
/// </summary>
internal static class SampleText
{
    /// <param name="vocabulary">How many distinct words.</param>
    /// <param name="longestWord">Letters of the longest word (the shortest has two).</param>
    public static byte[] Words(int length, Random random, int vocabulary = 200, int longestWord = 8)
    {
        var words = Enumerable.Range(0, vocabulary).Select(_ => new string([.. Enumerable.Range(0, random.Next(2, longestWord + 1)).Select(_ => (char)random.Next('a', 'z' + 1))]) + " ").ToArray();
        var data = new byte[length];
        var at = 0;
        while (at < length)
        {
            var word = words[random.Next(words.Length)];
            for (var i = 0; i < word.Length && at < length; i++)
            {
                data[at++] = (byte)word[i];
            }
        }

        return data;
    }
}
