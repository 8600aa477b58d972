
namespace Autoencoders.ML.Cli.Input;

/// <summary>Bad usage or bad input data: the tool prints the one-line message and exits with code 2.</summary>
internal sealed class InputException : Exception
{
    public InputException(string message)
        : base(message)
    {
    }

    public InputException(string message, Exception inner)
        : base(message, inner)
    {
    }
}
