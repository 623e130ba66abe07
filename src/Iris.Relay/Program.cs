using Iris.Relay;

var app = RelayApp.Build(args);
await app.RunAsync();
