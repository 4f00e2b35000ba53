/**
 * @module The one script, served as /assets/app.js (the CSP allows scripts from 'self' only, never
 * inline). It only enhances: copy buttons are rendered `hidden` and shown here, so a page without
 * JavaScript shows the text to copy by hand and no dead button.
 */

export const APP_JS = `"use strict";
(function () {
  function textOf(target) {
    var text = target.getAttribute("data-copy-text");
    return text !== null ? text : target.textContent.trim();
  }
  function selectText(target) {
    var range = document.createRange();
    range.selectNodeContents(target);
    var selection = window.getSelection();
    selection.removeAllRanges();
    selection.addRange(range);
  }
  var buttons = document.querySelectorAll("button[data-copy]");
  Array.prototype.forEach.call(buttons, function (button) {
    var target = document.getElementById(button.getAttribute("data-copy"));
    if (!target) return;
    var label = button.textContent;
    var status = document.createElement("span");
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    button.insertAdjacentElement("afterend", status);
    var timer;
    function say(text) {
      button.textContent = text;
      status.textContent = text;
      clearTimeout(timer);
      timer = setTimeout(function () {
        button.textContent = label;
        status.textContent = "";
      }, 4000);
    }
    button.addEventListener("click", function () {
      var text = textOf(target);
      var copied = navigator.clipboard && window.isSecureContext
        ? navigator.clipboard.writeText(text)
        : Promise.reject(new Error("no clipboard"));
      copied.then(function () {
        say(button.getAttribute("data-copied"));
      }, function () {
        selectText(target);
        say(button.getAttribute("data-failed"));
      });
    });
    button.hidden = false;
  });
  // ---- webauthn: the browser side of security keys and passkeys (src/webauthn/) ----
  // Only glue: base64url <-> bytes around navigator.credentials; the server checks everything.
  function toBytes(text) {
    var b64 = text.replace(/-/g, "+").replace(/_/g, "/");
    while (b64.length % 4) b64 += "=";
    var bin = atob(b64);
    var out = new Uint8Array(bin.length);
    for (var i = 0; i < bin.length; i++) out[i] = bin.charCodeAt(i);
    return out.buffer;
  }
  function toText(buffer) {
    if (!buffer) return undefined;
    var bytes = new Uint8Array(buffer);
    var bin = "";
    for (var i = 0; i < bytes.length; i++) bin += String.fromCharCode(bytes[i]);
    return btoa(bin).replace(/\\+/g, "-").replace(/\\//g, "_").replace(/=+$/, "");
  }
  function withIds(list) {
    return (list || []).map(function (c) {
      return { id: toBytes(c.id), type: c.type, transports: c.transports };
    });
  }
  function creationOptions(o) {
    var p = Object.assign({}, o);
    p.challenge = toBytes(o.challenge);
    p.user = Object.assign({}, o.user, { id: toBytes(o.user.id) });
    p.excludeCredentials = withIds(o.excludeCredentials);
    return p;
  }
  function requestOptions(o) {
    var p = Object.assign({}, o);
    p.challenge = toBytes(o.challenge);
    p.allowCredentials = withIds(o.allowCredentials);
    return p;
  }
  function credentialJson(cred) {
    var r = cred.response;
    var response = { clientDataJSON: toText(r.clientDataJSON) };
    if (r.attestationObject) {
      response.attestationObject = toText(r.attestationObject);
      response.transports = r.getTransports ? r.getTransports() : [];
    } else {
      response.authenticatorData = toText(r.authenticatorData);
      response.signature = toText(r.signature);
      if (r.userHandle) response.userHandle = toText(r.userHandle);
    }
    var json = {
      id: cred.id,
      rawId: toText(cred.rawId),
      type: cred.type,
      response: response,
      clientExtensionResults: cred.getClientExtensionResults(),
    };
    if (cred.authenticatorAttachment) json.authenticatorAttachment = cred.authenticatorAttachment;
    return json;
  }
  var ceremonies = document.querySelectorAll("form[data-webauthn]");
  Array.prototype.forEach.call(ceremonies, function (form) {
    if (!window.PublicKeyCredential || !navigator.credentials) return;
    var kind = form.getAttribute("data-webauthn");
    var start = form.querySelector("[data-webauthn-start]");
    var status = form.querySelector("[data-webauthn-status]");
    var field = form.querySelector("input[name=credential]");
    var pending = null;
    function failed() {
      status.textContent = form.getAttribute("data-failed");
      status.hidden = false;
    }
    function send(cred) {
      field.value = JSON.stringify(credentialJson(cred));
      HTMLFormElement.prototype.submit.call(form);
    }
    function ask(mediation) {
      if (pending) pending.abort();
      var controller = new AbortController();
      pending = controller;
      // One challenge per page: a conditional request is aborted before the button's.
      return Promise.resolve(JSON.parse(form.getAttribute("data-options"))).then(function (o) {
        if (kind === "create") {
          return navigator.credentials.create({ publicKey: creationOptions(o) });
        }
        var request = { publicKey: requestOptions(o), signal: controller.signal };
        if (mediation) request.mediation = mediation;
        return navigator.credentials.get(request);
      });
    }
    form.addEventListener("submit", function (event) {
      if (field.value) return;
      event.preventDefault();
      if (kind === "create" && !form.checkValidity()) {
        form.reportValidity();
        return;
      }
      status.hidden = true;
      ask(null).then(function (cred) {
        if (cred) send(cred); else failed();
      }, function (error) {
        if (error && error.name !== "AbortError") failed();
      });
    });
    start.hidden = false;
    // Browser autofill of passkeys on the username field, where the browser supports it.
    if (kind === "passkey" && PublicKeyCredential.isConditionalMediationAvailable) {
      PublicKeyCredential.isConditionalMediationAvailable().then(function (available) {
        if (!available) return;
        ask("conditional").then(function (cred) {
          if (cred) send(cred);
        }, function () {});
      });
    }
  });
})();
`;
