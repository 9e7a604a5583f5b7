using Boot2IsoKit.Model.Recipes;
using Boot2IsoKit.Testing.Fixtures;

namespace Boot2IsoKit.Tests.Model.Recipes;

/// <summary>
/// Seeded mutations of the real experimental recipe (byte flips, truncations, duplicated and deleted lines,
/// hostile YAML): every case is either a valid recipe or a <see cref="RecipeException"/> with a line number.
/// </summary>
public class RecipeFuzzTests
{
    private static readonly string[] Hostile =
    [
        "name: x\nbase: &a {release: v19.03.12, iso: *a}\n",
        "name: x\nbase:\n  release: v19.03.12\nbase:\n  release: v19.03.12\n",
        "name: " + new string('[', 5000) + "\n",
        "name: x\nbase: {release: v19.03.12}\npackages: " + string.Concat(Enumerable.Repeat("- ", 2000)) + "\n",
        "name: x\nbase: !!binary AAAA\n",
        "\t\0\u0001name: x",
        "---\nname: a\n---\nname: b\n",
        "name: x\nbase: {release: v19.03.12}\nmotd: *missing\n",
    ];

    [Fact]
    public void Mutated_recipes_give_a_recipe_or_a_located_error()
    {
        var original = File.ReadAllText(Path.Combine(RepositoryRoot.Find(), "recipes", "experimental.yml"));
        var random = new Random(20261128);
        var cases = new List<string>(Hostile);
        for (var i = 0; i < 400; i++)
        {
            cases.Add(Mutate(original, random));
        }

        foreach (var yaml in cases)
        {
            try
            {
                var recipe = RecipeLoader.Load(yaml, "fuzz.yml");
                Assert.False(string.IsNullOrEmpty(recipe.Name));
            }
            catch (RecipeException e)
            {
                Assert.StartsWith("fuzz.yml: line ", e.Message, StringComparison.Ordinal);
            }
        }
    }

    private static string Mutate(string text, Random random)
    {
        var lines = text.Split('\n').ToList();
        switch (random.Next(4))
        {
            case 0:
                var chars = text.ToCharArray();
                for (var k = 0; k < 1 + random.Next(5); k++)
                {
                    chars[random.Next(chars.Length)] = (char)random.Next(1, 128);
                }

                return new string(chars);
            case 1:
                return text[..random.Next(text.Length)];
            case 2:
                lines.RemoveAt(random.Next(lines.Count));
                return string.Join('\n', lines);
            default:
                var line = random.Next(lines.Count);
                lines.Insert(random.Next(lines.Count), lines[line]);
                return string.Join('\n', lines);
        }
    }
}
