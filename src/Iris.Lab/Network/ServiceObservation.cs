namespace Iris.Lab.Network;

/// <summary>An open TCP port and what answered on it. <see cref="Plaintext"/>: data (or a login) crosses it unencrypted.</summary>
internal sealed record ServiceObservation(int Port, string Service, bool Plaintext, string Banner);
