using System.Globalization;
using Iris.Camera.Events;
using Iris.Camera.Storage;

namespace Iris.Camera.Link;

/// <summary>The two ways an alert leaves the camera; each keeps its own place in the outbox.</summary>
public enum LinkChannel
{
    Mqtt,
    Webhook,
}

/// <summary>One alert waiting in the outbox; <see cref="Seq"/> orders delivery, <see cref="MessageId"/> lets the receiver de-duplicate.</summary>
public sealed record OutboxEntry(long Seq, string MessageId, DateTimeOffset At, string Kind, long ReferenceId, string? Source, string Message);

/// <summary>
/// The persistent alert outbox (5.8.1.1, 5.6.1.1): every alert is written here, in the same order it was raised,
/// before any attempt to send it, so an outage, a restart or a power cut loses nothing. Each channel reads the
/// oldest entries it has not delivered and marks them one by one; an entry goes when every channel has it.
/// Bounded: past <see cref="CloudOptions.OutboxLimit"/> the oldest entries are dropped and counted, and the
/// count travels with every later message so the receiver knows it missed some. The account, source address and
/// message are sealed (<see cref="LinkFields"/>): what waits for the platform is personal data at rest like the rest.
/// </summary>
internal sealed class AlertOutbox(CameraDatabase database, CloudOptions options, TimeProvider time, LinkFields fields)
{
    private const string OverflowCounter = "overflowed";
    private readonly Lock _write = new();

    /// <summary>Raised after every enqueue, so the senders wake at once instead of polling.</summary>
    public event Action? Enqueued;

    /// <summary>Stores the alert for every configured channel; false (nothing stored) while the link is off.</summary>
    public bool Enqueue(SecurityAlert alert)
    {
        if (!options.IsConfigured)
        {
            return false;
        }

        // One writer at a time, so sequence numbers follow the order alerts were handed over.
        lock (_write)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction();
            DbRows.Execute(connection, """
                INSERT INTO link_outbox (message_id, at, kind, reference_id, source, account, message, sealed, mqtt_pending, webhook_pending)
                VALUES ($id, $at, $kind, $ref, $source, $account, $message, 1, $mqtt, $webhook);
                """,
                ("$id", Guid.CreateVersion7(time.GetUtcNow()).ToString("D", CultureInfo.InvariantCulture)), ("$at", DbTime.Format(alert.At)), ("$kind", alert.Kind),
                ("$ref", alert.Id), ("$source", fields.SealOutbox(alert.Source, LinkFields.SourceContext)),
                ("$account", fields.SealOutbox(alert.Account, LinkFields.AccountContext)), ("$message", fields.SealOutbox(alert.Message, LinkFields.MessageContext)),
                ("$mqtt", options.MqttConfigured ? 1 : 0), ("$webhook", options.WebhookConfigured ? 1 : 0));
            var excess = Convert.ToInt64(DbRows.Scalar(connection, "SELECT count(*) FROM link_outbox;"), CultureInfo.InvariantCulture) - options.OutboxLimit;
            if (excess > 0)
            {
                DbRows.Execute(connection, "DELETE FROM link_outbox WHERE seq IN (SELECT seq FROM link_outbox ORDER BY seq LIMIT $n);", ("$n", excess));
                DbRows.Execute(connection, """
                    INSERT INTO link_counters (name, value) VALUES ($name, $n)
                    ON CONFLICT (name) DO UPDATE SET value = value + excluded.value;
                    """, ("$name", OverflowCounter), ("$n", excess));
            }

            transaction.Commit();
        }

        Enqueued?.Invoke();
        return true;
    }

    /// <summary>The oldest entries this channel has not delivered, in order.</summary>
    public IReadOnlyList<OutboxEntry> Pending(LinkChannel channel, int limit)
    {
        using var connection = database.OpenConnection();
        return DbRows.Query(connection,
            $"SELECT seq, message_id, at, kind, reference_id, source, message FROM link_outbox WHERE {Column(channel)} = 1 ORDER BY seq LIMIT $limit;",
            r => new OutboxEntry(r.GetInt64(0), r.GetString(1), DbTime.Read(r, 2), r.GetString(3), r.GetInt64(4),
                fields.OpenOutbox(DbRows.NullableString(r, 5), LinkFields.SourceContext), fields.OpenOutbox(r.GetString(6), LinkFields.MessageContext)!),
            ("$limit", limit));
    }

    /// <summary>Marks one entry delivered on this channel; the entry goes once no channel still needs it.</summary>
    public void Delivered(LinkChannel channel, long seq)
    {
        lock (_write)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction();
            DbRows.Execute(connection, $"UPDATE link_outbox SET {Column(channel)} = 0 WHERE seq = $seq;", ("$seq", seq));
            DbRows.Execute(connection, "DELETE FROM link_outbox WHERE seq = $seq AND mqtt_pending = 0 AND webhook_pending = 0;", ("$seq", seq));
            transaction.Commit();
        }
    }

    public int Count(LinkChannel channel)
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, $"SELECT count(*) FROM link_outbox WHERE {Column(channel)} = 1;"), CultureInfo.InvariantCulture);
    }

    public int CountAll()
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt32(DbRows.Scalar(connection, "SELECT count(*) FROM link_outbox;"), CultureInfo.InvariantCulture);
    }

    /// <summary>How many alerts were dropped, oldest first, because the outbox was full (since the device was set up).</summary>
    public long Overflowed()
    {
        using var connection = database.OpenConnection();
        return Convert.ToInt64(DbRows.Scalar(connection, "SELECT coalesce((SELECT value FROM link_counters WHERE name = $name), 0);", ("$name", OverflowCounter)), CultureInfo.InvariantCulture);
    }

    /// <summary>Empties the outbox (the owner's deletion of alert data) and destroys its field key; returns how many entries went.</summary>
    public int DeleteAll()
    {
        lock (_write)
        {
            int deleted;
            using (var connection = database.OpenConnection())
            {
                deleted = DbRows.Execute(connection, "DELETE FROM link_outbox;");
            }

            fields.DestroyOutboxKey();
            return deleted;
        }
    }

    /// <summary>
    /// A deleted user's name and addresses leave every waiting alert about them: the alert is still pushed (kind and
    /// time), its source and message are replaced. Returns the entries redacted.
    /// </summary>
    public int Forget(string username)
    {
        lock (_write)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction();
            var named = DbRows.Query(connection, "SELECT seq, account FROM link_outbox WHERE sealed = 1 AND account IS NOT NULL;",
                    r => (Seq: r.GetInt64(0), Account: fields.OpenOutbox(r.GetString(1), LinkFields.AccountContext)))
                .Where(row => string.Equals(row.Account, username, StringComparison.Ordinal)).ToList();
            foreach (var row in named)
            {
                DbRows.Execute(connection, "UPDATE link_outbox SET source = NULL, account = NULL, message = $message WHERE seq = $seq;",
                    ("$message", fields.SealOutbox(RedactedMessage, LinkFields.MessageContext)), ("$seq", row.Seq));
            }

            transaction.Commit();
            return named.Count;
        }
    }

    /// <summary>What a waiting alert about a deleted account says instead of its name and address.</summary>
    public const string RedactedMessage = "Alert about an account that has since been deleted.";

    /// <summary>Seals the entries written before schema 10, so nothing waits in clear text after an upgrade.</summary>
    public int SealLegacyRows()
    {
        lock (_write)
        {
            using var connection = database.OpenConnection();
            using var transaction = connection.BeginTransaction();
            var rows = DbRows.Query(connection, "SELECT seq, source, message FROM link_outbox WHERE sealed = 0;",
                r => (Seq: r.GetInt64(0), Source: DbRows.NullableString(r, 1), Message: r.GetString(2)));
            foreach (var row in rows)
            {
                DbRows.Execute(connection, "UPDATE link_outbox SET source = $source, message = $message, sealed = 1 WHERE seq = $seq;",
                    ("$source", fields.SealOutbox(row.Source, LinkFields.SourceContext)), ("$message", fields.SealOutbox(row.Message, LinkFields.MessageContext)), ("$seq", row.Seq));
            }

            transaction.Commit();
            return rows.Count;
        }
    }

    private static string Column(LinkChannel channel) => channel == LinkChannel.Mqtt ? "mqtt_pending" : "webhook_pending";
}
