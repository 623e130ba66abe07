using Iris.Boot;

return await BootCommand.RunAsync(args, Console.Out, Console.Error);
