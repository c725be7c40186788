namespace Mien.IO;

/// <summary>
/// The base of Mien's own errors: a problem with the user's input (a file, a setting) that a front end reports as one
/// line, naming what is wrong, without a stack trace.
/// </summary>
public class MienException(string message, Exception? inner = null) : Exception(message, inner);
