using Boot2IsoKit.Plumbing.Errors;

namespace Boot2IsoKit.Model.Recipes;

/// <summary>A recipe that cannot be used; the location is "line L, column C" of the YAML file.</summary>
internal sealed class RecipeException : InvalidInputException
{
    public RecipeException(string input, int line, int column, string problem)
        : base(input, $"line {line}, column {column}", problem)
    {
        Line = line;
    }

    public RecipeException(string input, int line, int column, string problem, Exception inner)
        : base(input, $"line {line}, column {column}", problem, inner)
    {
        Line = line;
    }

    public int Line { get; }
}
