// The platform link page (issue 15): how the camera reaches the owner's platform, a test alert through the same
// dispatcher every alert takes, the paired app keys, and the broker, webhook and Home Assistant settings.
// Administrators only (the API refuses anyone else); the device's own English reason for a retry is shown in
// English, and in Chinese as the kind of failure it names.
import { loadAlertBadge } from "/admin.js";
import { $, api, button, cell, fail, say, state, t, tf, when } from "/core.js";

// The device's retry reasons are fixed phrases (Link/MqttConnection.Describe, WebhookSender); each names one kind.
const reasonKinds = [
  ["TLS handshake refused", "linkReasonTls"], ["refused the connection", "linkReasonRefused"], ["did not accept", "linkReasonRefused"],
  ["no answer", "linkReasonTimeout"], ["could not be resolved", "linkReasonDns"], ["network error", "linkReasonNetwork"],
  ["unreachable", "linkReasonNetwork"], ["no webhook key", "linkReasonNoKey"], ["answered", "linkReasonAnswer"], ["connection lost", "linkReasonLost"],
];

function reasonText(reason) {
  if (!reason) return "";
  if (state.language === "en") return reason;
  const kind = reasonKinds.find(([phrase]) => reason.includes(phrase));
  return t(kind ? kind[1] : "linkReasonOther");
}

function showChannel(list, name, channel) {
  const term = document.createElement("dt");
  term.textContent = name;
  const detail = document.createElement("dd");
  const now = String(channel.state).toLowerCase();
  const stateWord = t(`link:${now}`);
  const parts = [channel.reason ? `${stateWord}: ${reasonText(channel.reason)}` : stateWord];
  if (now === "retrying" && channel.nextAttemptAt) parts.push(tf("linkNextAttempt", when(channel.nextAttemptAt)));
  if (now !== "off") parts.push(tf("linkQueued", channel.queued), tf("linkLastDelivery", channel.lastDeliveryAt ? when(channel.lastDeliveryAt) : t("never")));
  detail.textContent = parts.join(" · ");
  detail.dataset.channel = name.toLowerCase();
  detail.dataset.state = now;
  if (now === "retrying") detail.className = "warn";
  list.append(term, detail);
}

export async function loadLink() {
  const [link, settings, keys] = await Promise.all([api("GET", "/api/link"), api("GET", "/api/link/settings"), api("GET", "/api/link/keys")]);
  const list = $("link-status");
  list.replaceChildren();
  if (!link.configured) {
    const term = document.createElement("dt");
    term.textContent = t("linkStatus");
    const detail = document.createElement("dd");
    detail.textContent = t("linkOff");
    detail.dataset.state = "off";
    list.append(term, detail);
  } else {
    showChannel(list, "MQTT", link.mqtt);
    showChannel(list, "Webhook", link.webhook);
    const term = document.createElement("dt");
    term.textContent = t("linkTopics");
    const detail = document.createElement("dd");
    detail.textContent = `${link.topicPrefix}/`;
    list.append(term, detail);
  }
  const dropped = document.createElement("dt");
  dropped.textContent = t("linkOverflow");
  const count = document.createElement("dd");
  count.id = "link-overflow";
  count.textContent = String(link.overflowed);
  if (link.overflowed > 0) count.className = "warn";
  list.append(dropped, count);
  $("link-test").disabled = !link.configured;
  $("link-test-why").hidden = link.configured;
  // The app sends its key over MQTT: without a broker a code could never be used.
  const broker = Boolean(settings.brokerHost);
  $("pairing-why").hidden = broker;
  for (const control of $("form-pairing").querySelectorAll("input, select, button")) control.disabled = !broker;
  $("link-key-state").textContent = t(link.webhookSecretSet ? "linkKeySet" : "linkKeyNone");

  $("link-ca").textContent = t(settings.caConfigured ? "linkCaSet" : "linkCaMissing");
  $("link-broker-host").value = settings.brokerHost || "";
  $("link-broker-port").value = settings.brokerPort;
  $("link-topic-root").value = settings.topicRoot;
  $("link-webhook-url").value = settings.webhookUrl || "";
  $("link-ha-discovery").checked = settings.homeAssistantDiscovery;
  $("link-ha-commands").checked = settings.homeAssistantCommands;

  const body = $("keys-body");
  body.replaceChildren();
  $("keys-empty").hidden = keys.length > 0;
  for (const key of keys) {
    const row = body.insertRow();
    row.dataset.key = key.keyId;
    cell(row, "keyLabel", key.label);
    cell(row, "role", `${t(key.role.toLowerCase())}${key.revokedAt ? ` · ${t("revoked")}` : ""}`);
    const print = cell(row, "keyFingerprint");
    print.append(Object.assign(document.createElement("code"), { textContent: key.keyId }));
    cell(row, "keyPaired", when(key.pairedAt));
    const actions = cell(row, "");
    actions.className = "row-actions";
    if (!key.revokedAt) {
      actions.append(button("revoke", "danger", async () => {
        if (!confirm(tf("confirmRevoke", key.label))) return;
        try { await api("DELETE", `/api/link/keys/${encodeURIComponent(key.keyId)}`); say("", true, "linkRevoked"); await loadLink(); } catch (e) { fail(e); }
      }));
    }
  }
}

export function wireLink() {
  $("link-test").addEventListener("click", async () => {
    // The test alert is an open alert like any other: the navigation's badge counts it at once.
    try { await api("POST", "/api/link/test-alert"); say("", true, "linkSent"); await Promise.all([loadLink(), loadAlertBadge()]); } catch (e) { fail(e); }
  });
  $("form-link").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      await api("PUT", "/api/link/settings", {
        brokerHost: $("link-broker-host").value.trim(), brokerPort: Number($("link-broker-port").value), topicRoot: $("link-topic-root").value.trim(),
        webhookUrl: $("link-webhook-url").value.trim(), homeAssistantDiscovery: $("link-ha-discovery").checked, homeAssistantCommands: $("link-ha-commands").checked,
      });
      say("", true, "saved");
      await loadLink();
    } catch (e) { fail(e); }
  });
  $("form-webhook-key").addEventListener("submit", async (event) => {
    event.preventDefault();
    const password = $("link-key-password");
    try {
      const made = await api("POST", "/api/link/webhook/key", { password: password.value });
      $("link-key-value").textContent = made.key;
      $("link-key-shown").hidden = false;
      say("", true, "linkKeyMade");
      await loadLink();
    } catch (e) { fail(e); } finally { password.value = ""; }
  });
  $("form-pairing").addEventListener("submit", async (event) => {
    event.preventDefault();
    try {
      const made = await api("POST", "/api/link/pairing", { role: $("pairing-role").value, label: $("pairing-label").value });
      $("pairing-code").textContent = made.code;
      $("pairing-shown").hidden = false;
    } catch (e) { fail(e); }
  });
}
