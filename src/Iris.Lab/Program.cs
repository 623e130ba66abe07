return await Iris.Lab.LabCli.RunAsync(args, Console.Out, Console.Error);
