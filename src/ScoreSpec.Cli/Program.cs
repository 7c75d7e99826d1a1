using System.CommandLine;
using ScoreSpec.Cli;

return Cli.Run(args, Console.In, Console.Out, Console.Error);
