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
})();
`;
