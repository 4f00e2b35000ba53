/** @module German messages (formal "Sie"). */
import type { Messages } from "./en.ts";

export const de: Messages = {
  // ---- layout and shared words ----
  "layout.skip": "Zum Inhalt springen",
  "layout.language": "Sprache",
  "layout.logout": "Abmelden",
  "common.never": "nie",
  "common.no": "Nein",
  "common.continue": "Weiter",
  "common.cancel": "Abbrechen",
  "common.back_to_sign_in": "Zurück zur Anmeldung",
  "common.back_to_account": "Zurück zu Ihrem Konto",
  "copy.done": "Kopiert",
  "copy.failed": "Markieren Sie den Text und kopieren Sie ihn",

  // ---- error pages ----
  "errors.csrf.title": "Formular abgelaufen",
  "errors.not_found.title": "Nicht gefunden",
  "errors.not_found.message": "Unter dieser Adresse gibt es keine Seite.",
  "errors.not_found.home": "Startseite",
  "errors.internal.title": "Etwas ist schiefgelaufen",
  "errors.too_large.title": "Zu groß",
  "errors.timeout.title": "Zu langsam",

  // ---- login ----
  "login.title": "Anmelden",
  "login.username": "Benutzername",
  "login.password": "Passwort",
  "login.remember_me.one": "{n} Tag angemeldet bleiben",
  "login.remember_me.other": "{n} Tage angemeldet bleiben",
  "login.submit": "Weiter",
  "login.forgot": "Passwort vergessen?",
  "login.cancel": "Abbrechen und mit einem anderen Konto anmelden",
  "totp.title": "Code eingeben",
  "totp.intro":
    "Öffnen Sie Ihre Authenticator-App und geben Sie den Code ein, den sie für {issuer} anzeigt.",
  "totp.code": "Code",
  "totp.device_legend": "Dieses Gerät",
  "totp.trust.one": "Diesem Gerät {n} Tag lang vertrauen",
  "totp.trust.other": "Diesem Gerät {n} Tage lang vertrauen",
  "totp.device_name": "Gerätename",
  "totp.submit": "Bestätigen",
  "totp.use_recovery": "Stattdessen einen Wiederherstellungscode verwenden",
  "recovery.title": "Wiederherstellungscode verwenden",
  "recovery.intro":
    "Geben Sie einen der Wiederherstellungscodes ein, die Sie bei der Einrichtung der Zwei-Faktor-Anmeldung gespeichert haben. Jeder Code gilt nur einmal.",
  "recovery.code": "Wiederherstellungscode",
  "recovery.use_app": "Stattdessen einen Code aus Ihrer App verwenden",
  "recovery.used.title": "Mit einem Wiederherstellungscode angemeldet",
  "recovery.used.message": "Dieser Code ist jetzt verbraucht.",
  "recovery.used.left.one": "Sie haben noch {n} Wiederherstellungscode.",
  "recovery.used.left.other": "Sie haben noch {n} Wiederherstellungscodes.",
  "recovery.used.few": "Erzeugen Sie bald auf Ihrer Kontoseite einen neuen Satz.",
  "grace.title": "Richten Sie bald die Zwei-Faktor-Anmeldung ein",
  "grace.message":
    "Ihre Organisation verlangt die Zwei-Faktor-Anmeldung. Bis zum {date} können Sie sich noch ohne sie anmelden; danach ist die Einrichtung der einzige Weg hinein.",
  "grace.now": "Jetzt einrichten",
  "grace.later": "Später",
  "logout.title": "Abmelden",
  "logout.question": "Ihre Sitzung auf diesem Gerät beenden?",

  // ---- enrollment ----
  "enroll.title": "Zwei-Faktor-Anmeldung einrichten",
  "enroll.during_login":
    "Ihr Konto benötigt einen zweiten Faktor. Richten Sie eine Authenticator-App ein, um fortzufahren.",
  "enroll.scan":
    "Scannen Sie diesen QR-Code mit Ihrer Authenticator-App (Google Authenticator, Aegis, 1Password, …).",
  "enroll.qr_label": "QR-Code für Ihre Authenticator-App",
  "enroll.by_hand": "Oder geben Sie diesen Schlüssel von Hand ein:",
  "enroll.copy_key": "Schlüssel kopieren",
  "enroll.details": "Details",
  "enroll.params": "Zeitbasiert, {algorithm}, {digits} Stellen, alle {period} Sekunden.",
  "enroll.code": "Geben Sie den Code ein, den Ihre App anzeigt",
  "enroll.submit": "Bestätigen",
  "codes.title": "Speichern Sie Ihre Wiederherstellungscodes",
  "codes.intro":
    "Ihre Authenticator-App ist eingerichtet. Falls Sie Ihr Telefon verlieren, können Sie sich mit jedem dieser Codes einmal anmelden. Bewahren Sie sie jetzt an einem sicheren Ort auf: {warning}",
  "codes.not_again": "Sie werden nicht noch einmal angezeigt.",
  "codes.copy": "Codes kopieren",
  "codes.continue": "Ich habe meine Codes gespeichert, weiter",
  "codes.new_title": "Ihre neuen Wiederherstellungscodes",
  "codes.new_intro":
    "Ihre alten Wiederherstellungscodes gelten nicht mehr. Speichern Sie diese jetzt: {warning}",
  "codes.download": "Als Textdatei herunterladen",
  "codes.file_heading": "{name}-Wiederherstellungscodes\nJeder Code gilt nur einmal.",
  "pass.title": "Geben Sie Ihren Einrichtungscode ein",
  "pass.intro":
    "Ein Administrator hat Ihre Zwei-Faktor-Anmeldung zurückgesetzt. Um eine neue Authenticator-App einzurichten, geben Sie den einmaligen Einrichtungscode ein, den Sie erhalten haben.",
  "pass.label": "Einrichtungscode",

  // ---- account ----
  "account.title": "Ihr Konto",
  "account.signed_in": "Angemeldet als {name}.",
  "account.signed_in_recovery": "Angemeldet als {name} mit einem Wiederherstellungscode.",
  "account.signed_in_device": "Angemeldet als {name} auf einem vertrauenswürdigen Gerät.",
  "account.change_password": "Passwort ändern",
  "account.admin_console": "Administration",
  "account.reauth_hint":
    "Bevor Sie Ihren zweiten Faktor ändern, werden Ihr Passwort und ein Code abgefragt.",
  "account.authenticators": "Authenticator-Apps",
  "account.no_authenticator": "Es ist keine Authenticator-App eingerichtet.",
  "account.col.name": "Name",
  "account.col.added": "Hinzugefügt",
  "account.col.last_used": "Zuletzt verwendet",
  "account.col.actions": "Aktionen",
  "account.col.device": "Gerät",
  "account.col.trusted_since": "Vertraut seit",
  "account.col.until": "Bis",
  "account.col.started": "Begonnen",
  "account.col.last_seen": "Zuletzt aktiv",
  "account.col.from": "Von",
  "account.col.second_factor": "Zweiter Faktor",
  "account.rename": "Umbenennen",
  "account.replace": "Ersetzen",
  "account.remove": "Entfernen",
  "account.revoke": "Widerrufen",
  "account.end": "Beenden",
  "account.drift.behind":
    "Die Uhr Ihres Telefons scheint etwa {seconds} s nachzugehen. Schalten Sie auf dem Telefon die automatische Uhrzeit ein, sonst funktionieren die Codes bald nicht mehr.",
  "account.drift.ahead":
    "Die Uhr Ihres Telefons scheint etwa {seconds} s vorzugehen. Schalten Sie auf dem Telefon die automatische Uhrzeit ein, sonst funktionieren die Codes bald nicht mehr.",
  "account.add_authenticator": "Authenticator-App hinzufügen",
  "account.recovery_codes": "Wiederherstellungscodes",
  "account.recovery_remaining.one": "{n} Ihrer Wiederherstellungscodes ist unbenutzt.",
  "account.recovery_remaining.other": "{n} Ihrer Wiederherstellungscodes sind unbenutzt.",
  "account.recovery_low":
    "Ihre Wiederherstellungscodes gehen zur Neige. Erzeugen Sie einen neuen Satz.",
  "account.recovery_generate": "Neue Wiederherstellungscodes erzeugen",
  "account.devices": "Vertrauenswürdige Geräte",
  "account.no_devices": "Kein Gerät überspringt den Code.",
  "account.this_device": "(dieses Gerät)",
  "account.sessions": "Sitzungen",
  "account.this_session": "(diese Sitzung)",
  "account.unknown_address": "unbekannte Adresse",
  "account.method.otp": "Code aus der App",
  "account.method.rec": "Wiederherstellungscode",
  "account.method.dev": "vertrauenswürdiges Gerät",
  "account.method.pwd": "nur Passwort",
  "account.end_others": "Alle anderen Sitzungen beenden",
  "account.end_all": "Überall abmelden",
  "account.twofa": "Zwei-Faktor-Anmeldung",
  "account.twofa_off_hint":
    "Beim Ausschalten werden Ihre Authenticator-Apps, Wiederherstellungscodes und vertrauenswürdigen Geräte entfernt.",
  "account.twofa_off": "Zwei-Faktor-Anmeldung ausschalten",
  "reauth.title": "Bestätigen Sie, dass Sie es sind",
  "reauth.intro":
    "Geben Sie Ihr Passwort und einen Code aus Ihrer Authenticator-App (oder einen Wiederherstellungscode) ein.",
  "reauth.code": "Code aus Ihrer App",

  // ---- personal access tokens ----
  "tokens.title": "Persönliche Zugriffstoken",
  "tokens.intro":
    "Für Skripte, die in Ihrem Namen handeln. Sie umgehen den zweiten Faktor und können daher nie Ihr Passwort, Ihre Faktoren oder Schlüssel ändern.",
  "tokens.col.scopes": "Berechtigungen",
  "tokens.col.expires": "Läuft ab",
  "tokens.name": "Name des Tokens",
  "tokens.code": "Code aus Ihrer Authenticator-App",
  "tokens.create": "Token erstellen",
  "tokens.new_title": "Ihr neues Token",
  "tokens.new_intro": "Kopieren Sie das Token {name} jetzt: Es wird nicht noch einmal angezeigt.",
  "tokens.copy": "Token kopieren",

  // ---- passwords ----
  "password.change.title": "Passwort ändern",
  "password.change.intro":
    "Wenn Sie Ihr Passwort ändern, enden Ihre anderen Sitzungen und das Vertrauen in Ihre Geräte.",
  "password.current": "Aktuelles Passwort",
  "password.new": "Neues Passwort",
  "password.hint": "Mindestens 12 Zeichen. Einige Wörter ohne Zusammenhang ergeben ein gutes.",
  "password.change.submit": "Passwort ändern",
  "password.forgot.title": "Passwort vergessen?",
  "password.forgot.sent":
    "Falls ein Konto passt, ist ein Link zum Zurücksetzen unterwegs. Er funktioniert einmal, eine Stunde lang.",
  "password.forgot.username": "Benutzername oder E-Mail-Adresse",
  "password.forgot.submit": "Link zum Zurücksetzen senden",
  "password.reset.title": "Neues Passwort wählen",
  "password.reset.intro":
    "Ihre Authenticator-App bleibt, wie sie ist: Zum Anmelden brauchen Sie weiterhin einen Code.",
  "password.reset.submit": "Neues Passwort speichern",

  // ---- admin console ----
  "admin.nav.label": "Administration",
  "admin.nav.dashboard": "Übersicht",
  "admin.nav.users": "Benutzer",
  "admin.nav.policy": "Richtlinie",
  "admin.nav.audit": "Audit-Protokoll",
  "admin.nav.account": "Ihr Konto",
  "admin.forbidden.title": "Nur für Administratoren",
  "admin.forbidden.message":
    "Die Administration ist Administratoren vorbehalten, die sich mit einem zweiten Faktor angemeldet haben (einem Code aus der App, einem Wiederherstellungscode oder einem vertrauenswürdigen Gerät).",
  "admin.status.enrolled": "Eingerichtet",
  "admin.status.not_enrolled": "Nicht eingerichtet",
  "admin.status.required_not_enrolled": "Verlangt, nicht eingerichtet",
  "admin.status.grace": "In der Übergangsfrist",
  "admin.status.locked": "Gesperrt",
  "admin.col.when": "Wann",
  "admin.col.when_utc": "Wann (UTC)",
  "admin.col.user": "Benutzer",
  "admin.col.users": "Benutzer",
  "admin.col.what": "Was",
  "admin.col.status": "Status",
  "admin.col.roles": "Rollen",
  "admin.col.groups": "Gruppen",
  "admin.col.locked": "Gesperrt",
  "admin.col.disabled": "Deaktiviert",
  "admin.col.clock": "Uhr",
  "admin.col.now": "Jetzt",
  "admin.col.after": "Danach",
  "admin.col.setting": "Einstellung",
  "admin.col.event": "Ereignis",
  "admin.col.outcome": "Ergebnis",
  "admin.col.address": "Adresse",
  "admin.col.detail": "Details",
  "admin.filter": "Filtern",
  "admin.dashboard.title": "Administration",
  "admin.emergency.title": "Der Notfallzugang wurde verwendet",
  "admin.emergency.intro":
    "Jemand hat in den letzten 30 Tagen den Notfallbefehl auf dem Server ausgeführt. Prüfen Sie, ob das beabsichtigt war.",
  "admin.emergency.reset_pass": "{when}: 2FA von {user} mit einem Einrichtungscode zurückgesetzt",
  "admin.emergency.reset_plain": "{when}: 2FA von {user} zurückgesetzt (einfach)",
  "admin.emergency.via": "über {via}",
  "admin.emergency.all": "Alle Notfallereignisse",
  "admin.alerts.title": "Offene Warnungen",
  "admin.alerts.none": "Keine offenen Warnungen.",
  "admin.alerts.failures":
    "{failures} fehlgeschlagene Versuche mit dem zweiten Faktor innerhalb von {minutes} Minuten",
  "admin.alerts.several": "Mehrere",
  "admin.alerts.few": "wenigen",
  "admin.alerts.ack": "Bestätigen",
  "admin.counts.title": "Status der Zwei-Faktor-Anmeldung",
  "admin.counts.all": "Alle Benutzer",
  "admin.more.title": "Weiteres",
  "admin.more.users": "{users} und {new}",
  "admin.more.new_user": "ein neuer Benutzer",
  "admin.more.policy": "2FA- und Passwortrichtlinie",
  "admin.more.compliance": "{link}: der 2FA-Status jedes Benutzers",
  "admin.more.compliance_link": "Compliance-Bericht (CSV)",
  "admin.users.search_label": "Benutzer suchen",
  "admin.users.search": "Suche",
  "admin.users.status": "2FA-Status",
  "admin.users.any": "Alle",
  "admin.users.count.one": "{n} Benutzer",
  "admin.users.count.other": "{n} Benutzer",
  "admin.users.clear": "Filter zurücksetzen",
  "admin.users.none": "Kein Benutzer passt.",
  "admin.users.service": "(Dienst)",
  "admin.users.disabled": "Deaktiviert",
  "admin.users.until": "bis {date}",
  "admin.users.pages": "Seiten",
  "admin.users.previous": "Zurück",
  "admin.users.next": "Weiter",
  "admin.users.page_of": "Seite {page} von {pages}",
  "admin.new_user.title": "Benutzer anlegen",
  "admin.new_user.password": "Anfangspasswort",
  "admin.new_user.password_hint":
    "Geben Sie es der Person über einen separaten Kanal. Lassen Sie es für ein Dienstkonto leer.",
  "admin.new_user.roles_hint": "Durch Kommas getrennt, z. B. „admin“.",
  "admin.new_user.groups_hint": "Durch Kommas getrennt, z. B. „finance, support“.",
  "admin.new_user.email": "E-Mail-Adresse (optional, zum Zurücksetzen des Passworts)",
  "admin.new_user.service":
    "Dienstkonto (keine interaktive Anmeldung, nur über API-Schlüssel erreichbar)",
  "admin.new_user.submit": "Benutzer anlegen",
  "admin.user.title": "Benutzer {name}",
  "admin.user.email": "E-Mail-Adresse",
  "admin.user.account": "Konto",
  "admin.user.active": "Aktiv",
  "admin.user.service_suffix": ", Dienstkonto",
  "admin.user.created": "Angelegt",
  "admin.user.required": "2FA verlangt",
  "admin.user.required_admin": "Ja, von einem Administrator",
  "admin.user.required_policy": "Ja, durch die Richtlinie",
  "admin.user.pass_until": "Ausgestellt, gültig bis {date}",
  "admin.user.locked_until": "Bis {date}",
  "admin.user.drift_behind": "geht etwa {seconds} s nach",
  "admin.user.drift_ahead": "geht etwa {seconds} s vor",
  "admin.user.in_step": "synchron",
  "admin.user.actions": "Aktionen",
  "admin.user.actions_hint":
    "Jede Aktion fragt zuerst nach Ihrer Bestätigung und wird im Audit-Protokoll festgehalten.",
  "admin.user.reset_pass": "2FA mit einem Einrichtungscode zurücksetzen",
  "admin.user.reset_plain": "2FA einfach zurücksetzen",
  "admin.user.edit_title": "Rollen und Gruppen",
  "admin.user.edit_hint":
    "Durch Kommas getrennt. Gruppen und Rollen bestimmen, für wen die Richtlinie 2FA verlangt.",
  "admin.user.edit_review": "Änderung prüfen",
  "admin.user.audit_link": "Audit-Ereignisse dieses Benutzers",
  "admin.action.require-2fa.title": "2FA verlangen",
  "admin.action.require-2fa.question":
    "Die Zwei-Faktor-Anmeldung für {name} verlangen, unabhängig von der Richtlinie?",
  "admin.action.require-2fa.detail":
    "Ohne Authenticator-App richtet die Person bei der nächsten Anmeldung eine ein (nach einer etwaigen Übergangsfrist).",
  "admin.action.require-2fa.button": "2FA verlangen",
  "admin.action.unrequire-2fa.title": "2FA nicht mehr verlangen",
  "admin.action.unrequire-2fa.question":
    "Die Zwei-Faktor-Anmeldung für {name} nicht mehr verlangen?",
  "admin.action.unrequire-2fa.detail":
    "Die Richtlinie gilt weiterhin für die Person; ihre Authenticator-Apps bleiben bestehen.",
  "admin.action.unrequire-2fa.button": "2FA nicht mehr verlangen",
  "admin.action.reset-2fa.title": "2FA zurücksetzen",
  "admin.action.reset-2fa.question": "Die Zwei-Faktor-Anmeldung von {name} zurücksetzen?",
  "admin.action.reset-2fa.detail":
    "Authenticator-Apps, Wiederherstellungscodes und vertrauenswürdige Geräte der Person werden entfernt, und alle ihre Sitzungen enden. Bei der nächsten Anmeldung richtet sie eine neue Authenticator-App ein.",
  "admin.action.reset-2fa.button": "2FA zurücksetzen",
  "admin.action.disable-2fa.title": "2FA ausschalten",
  "admin.action.disable-2fa.question": "Die Zwei-Faktor-Anmeldung von {name} ausschalten?",
  "admin.action.disable-2fa.detail":
    "Authenticator-Apps, Wiederherstellungscodes und vertrauenswürdige Geräte der Person werden entfernt, und alle ihre Sitzungen enden. Zum Anmelden genügt dann ihr Passwort.",
  "admin.action.disable-2fa.blocked":
    "Die Richtlinie verlangt die Zwei-Faktor-Anmeldung für {name}, daher kann sie nicht ausgeschaltet werden.",
  "admin.action.disable-2fa.button": "2FA ausschalten",
  "admin.action.unlock.title": "Entsperren",
  "admin.action.unlock.question": "{name} entsperren?",
  "admin.action.unlock.detail":
    "Damit werden die Passwortsperre und die Sperre des zweiten Faktors aufgehoben.",
  "admin.action.unlock.button": "Entsperren",
  "admin.action.end-sessions.title": "Alle Sitzungen beenden",
  "admin.action.end-sessions.question": "Alle Sitzungen von {name} beenden?",
  "admin.action.end-sessions.detail":
    "Die Person wird überall abgemeldet. Ihre vertrauenswürdigen Geräte bleiben vertrauenswürdig.",
  "admin.action.end-sessions.button": "Alle Sitzungen beenden",
  "admin.action.extend-grace.title": "Übergangsfrist verlängern",
  "admin.action.extend-grace.question":
    "{name} mehr Zeit geben, die Zwei-Faktor-Anmeldung einzurichten?",
  "admin.action.extend-grace.detail":
    "Ab jetzt gerechnet. Bis dahin kann sich die Person ohne zweiten Faktor anmelden.",
  "admin.action.extend-grace.button": "Übergangsfrist verlängern",
  "admin.action.disable.title": "Konto deaktivieren",
  "admin.action.disable.question": "Das Konto von {name} deaktivieren?",
  "admin.action.disable.detail":
    "Die Person kann sich nicht mehr anmelden, und alle ihre Sitzungen enden.",
  "admin.action.disable.button": "Konto deaktivieren",
  "admin.action.enable.title": "Konto aktivieren",
  "admin.action.enable.question": "Das Konto von {name} aktivieren?",
  "admin.action.enable.detail": "Die Person kann sich wieder anmelden.",
  "admin.action.enable.button": "Konto aktivieren",
  "admin.action.edit.title": "Rollen und Gruppen ändern",
  "admin.action.edit.question": "Die Rollen und Gruppen von {name} ändern?",
  "admin.action.edit.detail":
    "Das kann ändern, ob die Richtlinie für die Person die Zwei-Faktor-Anmeldung verlangt.",
  "admin.action.edit.button": "Rollen und Gruppen speichern",
  "admin.action.revoke-device.title": "Vertrauenswürdiges Gerät widerrufen",
  "admin.action.revoke-device.question": "Dieses vertrauenswürdige Gerät von {name} widerrufen?",
  "admin.action.revoke-device.detail": "Bei der nächsten Anmeldung darauf wird ein Code verlangt.",
  "admin.action.revoke-device.button": "Gerät widerrufen",
  "admin.confirm.sure": "Sind Sie sicher?",
  "admin.confirm.device": "Gerät: {name}, vertraut seit {since}, zuletzt verwendet {used}.",
  "admin.confirm.how": "Wie die Person die 2FA neu einrichtet",
  "admin.confirm.with_pass":
    "Mit einem einmaligen Einrichtungscode (empfohlen): Die Person braucht ihn zusammen mit ihrem Passwort. Er wird Ihnen einmal angezeigt und läuft nach 24 Stunden ab.",
  "admin.confirm.plain":
    "Einfach: Ihr Passwort allein erlaubt der Person (oder jedem, der es kennt), eine neue Authenticator-App einzurichten.",
  "admin.confirm.days": "Tage ab jetzt",
  "admin.reset_done.title": "2FA zurückgesetzt",
  "admin.reset_done.notice":
    "Die Zwei-Faktor-Anmeldung von {name} wurde zurückgesetzt, und alle Sitzungen wurden beendet.",
  "admin.reset_done.give":
    "Geben Sie diesen einmaligen Einrichtungscode über einen vertrauenswürdigen Kanal (persönlich, per Telefon) an {name} weiter. Zusammen mit dem Passwort lässt sich damit eine neue Authenticator-App einrichten. {once} und läuft am {expiry} ab (24 Stunden).",
  "admin.reset_done.once": "Er wird nur dieses eine Mal angezeigt",
  "admin.reset_done.copy": "Code kopieren",
  "admin.reset_done.plain":
    "Das Passwort allein genügt der Person, um bei der nächsten Anmeldung eine neue Authenticator-App einzurichten.",
  "admin.reset_done.back": "Zurück zu {name}",
  "admin.policy.field.mode": "Wer 2FA verwenden muss",
  "admin.policy.field.requiredRoles": "Verpflichtete Rollen",
  "admin.policy.field.requiredGroups": "Verpflichtete Gruppen",
  "admin.policy.field.adminsAlways": "Administratoren verwenden immer 2FA",
  "admin.policy.field.exemptGroups": "Ausgenommene Gruppen",
  "admin.policy.field.networkRequire": "Netze, in denen 2FA immer verlangt wird",
  "admin.policy.field.networkSkip": "Netze, in denen der zweite Faktor entfällt",
  "admin.policy.field.graceDays": "Übergangsfrist (Tage)",
  "admin.policy.field.recoveryCodesEnabled": "Wiederherstellungscodes",
  "admin.policy.field.trustedDevicesEnabled": "Vertrauenswürdige Geräte",
  "admin.policy.field.trustedDeviceDays": "Gültigkeit vertrauenswürdiger Geräte (Tage)",
  "admin.policy.field.totpAlgorithm": "TOTP-Algorithmus",
  "admin.policy.field.totpDigits": "TOTP-Stellen",
  "admin.policy.field.totpPeriod": "TOTP-Intervall (Sekunden)",
  "admin.policy.field.totpWindow": "TOTP-Fenster (Schritte in jede Richtung)",
  "admin.policy.field.alertThreshold": "Warnen ab mehr als so vielen Fehlversuchen",
  "admin.policy.field.alertWindowMinutes": "Warnzeitraum (Minuten)",
  "admin.policy.invalid": "Einige Werte sind ungültig. Die Felder unten nennen den Grund.",
  "admin.policy.everyone": "Alle",
  "admin.policy.listed": "Nur die unten aufgeführten Rollen und Gruppen",
  "admin.policy.hint.requiredRoles":
    "Durch Kommas getrennt. Gilt, wenn nur die aufgeführten Rollen und Gruppen 2FA verwenden müssen.",
  "admin.policy.hint.requiredGroups": "Durch Kommas getrennt, z. B. finance, support.",
  "admin.policy.admins_always": "Administratoren verwenden immer 2FA (empfohlen)",
  "admin.policy.hint.exemptGroups":
    "Durch Kommas getrennt. Mitglieder brauchen nie einen zweiten Faktor; Administratoren bleiben erfasst, solange das Kästchen oben angekreuzt ist.",
  "admin.policy.exempt_warning":
    "Achtung: Eine ausgenommene Gruppe meldet sich nur mit einem Passwort an. Verwenden Sie sie nur für Dienstkonten und Ähnliches, nie für Personen.",
  "admin.policy.networks": "Netze",
  "admin.policy.hint.networkRequire":
    "CIDR-Bereiche, einer pro Zeile (z. B. 203.0.113.0/24). Vorrang vor Ausnahmen und Auslassungen.",
  "admin.policy.hint.networkSkip":
    "CIDR-Bereiche, einer pro Zeile. Nicht für Administratoren, solange diese immer 2FA verwenden.",
  "admin.policy.enrollment": "Einrichtung und Geräte",
  "admin.policy.hint.graceDays":
    "Tage, an denen sich ein Benutzer noch ohne zweiten Faktor anmelden darf, nachdem dieser für ihn verpflichtend geworden ist. 0: keine.",
  "admin.policy.recovery_on": "Wiederherstellungscodes werden ausgegeben und akzeptiert",
  "admin.policy.devices_on": "Benutzer dürfen einem Gerät vertrauen, um den Code zu überspringen",
  "admin.policy.codes": "Authenticator-Codes (für neue Einrichtungen)",
  "admin.policy.sha1": "SHA1 (funktioniert mit jeder App)",
  "admin.policy.alerts": "Warnungen",
  "admin.policy.preview": "Änderung vorab ansehen",
  "admin.policy.passwords": "Passwörter",
  "admin.policy.min_length": "Mindestlänge",
  "admin.policy.min_classes": "Verlangte Zeichenarten",
  "admin.policy.classes_none": "1 (keine Regel)",
  "admin.policy.classes": "{n} aus Kleinbuchstaben, Großbuchstaben, Ziffern, Sonderzeichen",
  "admin.policy.forbid_username": "Passwörter ablehnen, die den Benutzernamen enthalten",
  "admin.policy.forbid_common": "Häufige Passwörter ablehnen (49.000 aus geleakten Listen)",
  "admin.policy.save_passwords": "Passwortrichtlinie speichern",
  "admin.preview.title": "Vorschau der Richtlinienänderung",
  "admin.preview.would_block.one":
    "Diese Änderung würde {n} Benutzer ohne eingerichtete 2FA aussperren.",
  "admin.preview.would_block.other":
    "Diese Änderung würde {n} Benutzer ohne eingerichtete 2FA aussperren.",
  "admin.preview.next_login":
    "Bei ihrer nächsten Anmeldung müssen sie eine Authenticator-App einrichten, bevor sie hineinkommen:",
  "admin.preview.blocks_nobody":
    "Diese Änderung sperrt niemanden aus: Alle Benutzer, für die sie 2FA verlangt, haben sie eingerichtet oder eine Übergangsfrist.",
  "admin.preview.changes": "Änderungen",
  "admin.preview.nothing": "Nichts ändert sich.",
  "admin.preview.none": "keine",
  "admin.preview.on": "an",
  "admin.preview.off": "aus",
  "admin.preview.save": "Speichern",
  "admin.preview.back": "Zurück zum Formular",
  "admin.audit.search_label": "Ereignisse filtern",
  "admin.audit.user": "Benutzer (Name oder ID)",
  "admin.audit.event": "Ereignistyp beginnt mit",
  "admin.audit.from": "Von (UTC)",
  "admin.audit.to": "Bis (UTC)",
  "admin.audit.event_hint": "z. B. „admin.“ oder „login.second_factor“.",
  "admin.audit.time_hint": "Zeiten in UTC; „Bis“ schließt die ganze Minute ein.",
  "admin.audit.newest": "Die neuesten {n} Ereignisse.",
  "admin.audit.count.one": "{n} Ereignis, das neueste zuerst.",
  "admin.audit.count.other": "{n} Ereignisse, die neuesten zuerst.",
  "admin.audit.export": "Als CSV exportieren",
  "admin.audit.export_hint": "(bis zu 10.000 Ereignisse mit diesen Filtern)",
  "admin.audit.none": "Keine Ereignisse passen.",

  // ---- admin: active sessions ----
  "admin.nav.sessions": "Sitzungen",
  "admin.sessions.title": "Aktive Sitzungen",
  "admin.sessions.search_label": "Sitzungen suchen",
  "admin.sessions.user": "Benutzer (Name oder ID)",
  "admin.sessions.count.one": "{n} aktive Sitzung",
  "admin.sessions.count.other": "{n} aktive Sitzungen",
  "admin.sessions.newest": "Die {n} zuletzt aktiven Sitzungen",
  "admin.sessions.none": "Keine aktive Sitzung passt.",
  "admin.sessions.location": "Ort",
  "admin.sessions.unknown": "unbekannt",
  "admin.sessions.end_all": "Alle Sitzungen im System beenden",
  "admin.sessions.end_all_intro.one":
    "{n} Sitzung ist aktiv. Alle Sitzungen zu beenden meldet alle sofort ab, auch Sie, außer Sie behalten Ihre eigene.",
  "admin.sessions.end_all_intro.other":
    "{n} Sitzungen sind aktiv. Alle Sitzungen zu beenden meldet alle sofort ab, auch Sie, außer Sie behalten Ihre eigene.",
  "admin.sessions.keep_own": "Meine eigene Sitzung behalten",
  "admin.sessions.end_all_confirm": "Alle Sitzungen beenden",
  "admin.sessions.ended": "Die Sitzung ist beendet.",
  "admin.sessions.all_ended": "Alle anderen Sitzungen sind beendet.",
  "admin.sessions.gone": "Diese Sitzung gibt es nicht oder sie ist schon beendet.",
  "admin.sessions.bad_filter": "Dieser Filter ist zu lang; alle Sitzungen werden gezeigt.",

  // ---- admin: blocked addresses ----
  "admin.nav.blocks": "Gesperrte Adressen",
  "admin.blocks.title": "Gesperrte Adressen",
  "admin.blocks.intro":
    "{failures} Fehlversuche in {window} Minuten von einer Adresse (IPv6: einem /64) sperren sie für {minutes} Minuten; jede wiederholte Sperre dauert doppelt so lang, bis zu {max} Minuten.",
  "admin.blocks.count.one": "{n} Adresse ist gesperrt.",
  "admin.blocks.count.other": "{n} Adressen sind gesperrt.",
  "admin.blocks.none": "Keine Adresse ist gesperrt.",
  "admin.blocks.since": "Seit",
  "admin.blocks.failures": "Fehlversuche",
  "admin.blocks.last_username": "Zuletzt versuchter Name",
  "admin.blocks.number": "Sperren",
  "admin.blocks.lift": "Aufheben",
  "admin.blocks.lifted": "Die Sperre ist aufgehoben.",
  "admin.blocks.gone": "Diese Adresse ist nicht (mehr) gesperrt.",

  // ---- admin: permanent lockout ----
  "admin.user.locked_permanently": "Bis ein Admin das Konto entsperrt (zu viele Sperren)",

  // ---- login: the remember-me lifetime in force ----

  // ---- admin: session and lockout settings ----
  "admin.nav.settings": "Sitzungen und Sperren",
  "admin.settings.title": "Einstellungen für Sitzungen und Sperren",
  "admin.settings.intro":
    "Diese Einstellungen gelten sofort für neue Anmeldungen und neue Fehlversuche, ohne Neustart; bereits offene Sitzungen behalten ihre Dauer und ihr Inaktivitätslimit. Lassen Sie ein Feld leer für seinen Standardwert.",
  "admin.settings.group.sessions": "Sitzungen",
  "admin.settings.group.password": "Sperre nach Passwortfehlern",
  "admin.settings.group.second_factor": "Sperre des zweiten Faktors",
  "admin.settings.group.addresses": "Gesperrte Adressen",
  "admin.settings.sessionHours": "Dauer einer Sitzung (Stunden)",
  "admin.settings.rememberMeDays": "Dauer mit „angemeldet bleiben“ (Tage)",
  "admin.settings.idleMinutes": "Inaktivitätslimit (Minuten)",
  "admin.settings.maxSessions": "Höchstens Sitzungen pro Benutzer",
  "admin.settings.passwordMaxFailures": "Falsche Passwörter bis zur Sperre",
  "admin.settings.passwordWindowMinutes": "Gezählt innerhalb von (Minuten)",
  "admin.settings.passwordLockMinutes": "Dauer der Sperre (Minuten)",
  "admin.settings.permanentLockoutAfter": "Sperren, bis ein Admin entsperren muss (0: nie)",
  "admin.settings.secondFactorMaxFailures": "Falsche Codes bis zur Sperre",
  "admin.settings.secondFactorLockMinutes": "Dauer der Sperre des zweiten Faktors (Minuten)",
  "admin.settings.ipMaxFailures": "Fehlversuche einer Adresse bis zur Sperre",
  "admin.settings.ipWindowMinutes": "Adress-Fehlversuche gezählt innerhalb von (Minuten)",
  "admin.settings.ipBlockMinutes": "Dauer der ersten Sperre (Minuten)",
  "admin.settings.ipBlockMaxMinutes": "Längste wiederholte Sperre (Minuten)",
  "admin.settings.hint": "{min} bis {max}; Standard {value} ({env}).",
  "admin.settings.save": "Einstellungen speichern",
  "admin.settings.saved": "Die Einstellungen sind gespeichert.",
  "admin.settings.invalid":
    "Einige Einstellungen liegen außerhalb des Bereichs; nichts wurde gespeichert.",
  "admin.settings.range": "Geben Sie eine ganze Zahl von {min} bis {max} ein.",

  // ---- the error table (src/lib/errors.ts), shown on pages ----
  "error.validation_failed": "Einige Felder fehlen oder sind ungültig.",
  "error.invalid_credentials": "Benutzername oder Passwort ist falsch.",
  "error.invalid_code": "Dieser Code ist ungültig. Versuchen Sie den nächsten Code aus Ihrer App.",
  "error.invalid_recovery_code": "Dieser Wiederherstellungscode ist ungültig.",
  "error.invalid_pending_token":
    "Ihre Anmeldung ist abgelaufen oder wurde bereits verwendet. Bitte melden Sie sich erneut an.",
  "error.unauthorized": "Sie müssen sich anmelden.",
  "error.reauthentication_required":
    "Melden Sie sich erneut an (Passwort und Code), um Ihren zweiten Faktor zu ändern.",
  "error.forbidden": "Dazu sind Sie nicht berechtigt.",
  "error.csrf_failed":
    "Dieses Formular ist abgelaufen. Laden Sie die Seite neu und versuchen Sie es noch einmal.",
  "error.not_found": "Nicht gefunden.",
  "error.last_authenticator":
    "Dies ist Ihre einzige Authenticator-App, und Ihre Organisation verlangt die Zwei-Faktor-Anmeldung. Fügen Sie eine weitere hinzu oder ersetzen Sie sie stattdessen.",
  "error.policy_requires_2fa":
    "Ihre Organisation verlangt die Zwei-Faktor-Anmeldung, daher kann sie nicht ausgeschaltet werden.",
  "error.not_enrolled": "Richten Sie zuerst eine Authenticator-App ein.",
  "error.weak_password": "Wählen Sie ein stärkeres Passwort.",
  "error.invalid_reset_token":
    "Dieser Link zum Zurücksetzen ist ungültig, bereits verwendet oder abgelaufen. Fordern Sie einen neuen an.",
  "error.api_key_not_allowed":
    "API-Schlüssel können keine Anmeldeeinstellungen verwalten. Melden Sie sich als Person an.",
  "error.recovery_codes_disabled": "Wiederherstellungscodes sind hier ausgeschaltet.",
  "error.enrollment_pass_required":
    "Ihr zweiter Faktor wurde zurückgesetzt. Geben Sie den Einrichtungscode ein, den Sie von Ihrem Administrator erhalten haben.",
  "error.insufficient_scope": "Dieser Schlüssel hat dafür nicht die nötige Berechtigung.",
  "error.enrollment_expired":
    "Diese Einrichtung ist abgelaufen. Beginnen Sie neu, um einen neuen Schlüssel zu erhalten.",
  "error.payload_too_large": "Was Sie gesendet haben, ist zu groß.",
  "error.request_timeout": "Was Sie gesendet haben, kam zu langsam an. Senden Sie es erneut.",
  "error.too_many_attempts":
    "Zu viele Versuche. Warten Sie eine Weile und versuchen Sie es dann noch einmal.",
  "error.internal_error": "Bei uns ist etwas schiefgelaufen.",

  // ---- English texts from routes and domain code (found by localize()) ----
  "msg.required": "Erforderlich.",
  "msg.enter_username": "Geben Sie Ihren Benutzernamen ein.",
  "msg.enter_password": "Geben Sie Ihr Passwort ein.",
  "msg.enter_code": "Geben Sie den Code aus Ihrer App ein.",
  "msg.enter_recovery_code": "Geben Sie einen Wiederherstellungscode ein.",
  "msg.enter_code_or_recovery":
    "Geben Sie einen Code aus Ihrer App oder einen Wiederherstellungscode ein.",
  "msg.enter_current_password": "Geben Sie Ihr aktuelles Passwort ein.",
  "msg.enter_new_password": "Geben Sie ein neues Passwort ein.",
  "msg.enter_username_or_email": "Geben Sie Ihren Benutzernamen oder Ihre E-Mail-Adresse ein.",
  "msg.enter_name": "Geben Sie einen Namen ein.",
  "msg.name_token": "Geben Sie dem Token einen Namen.",
  "msg.password_changed.title": "Passwort geändert",
  "msg.password_changed.message":
    "Melden Sie sich mit Ihrem neuen Passwort an. Sie brauchen weiterhin einen Code aus Ihrer Authenticator-App.",
  "msg.sign_in": "Anmelden",
  "msg.sign_in_again": "Erneut anmelden",
  "msg.cannot_enroll": "Authenticator-App kann nicht eingerichtet werden",
  "msg.notice.authenticator_added":
    "Ihre neue Authenticator-App ist bereit. Ihre anderen Sitzungen wurden beendet.",
  "msg.notice.authenticator_renamed": "Authenticator-App umbenannt.",
  "msg.notice.authenticator_removed":
    "Authenticator-App entfernt. Ihre anderen Sitzungen wurden beendet.",
  "msg.notice.device_revoked": "Auf diesem Gerät wird wieder ein Code verlangt.",
  "msg.notice.session_ended": "Sitzung beendet.",
  "msg.notice.sessions_ended": "Alle Ihre anderen Sitzungen wurden beendet.",
  "msg.notice.reauthenticated":
    "Danke. In den nächsten fünf Minuten können Sie Ihren zweiten Faktor ändern.",
  "msg.notice.twofa_disabled":
    "Die Zwei-Faktor-Anmeldung ist ausgeschaltet. Ihre anderen Sitzungen wurden beendet.",
  "msg.notice.password_changed":
    "Passwort geändert. Ihre anderen Sitzungen und vertrauenswürdigen Geräte wurden beendet.",
  "msg.notice.token_revoked": "Token widerrufen.",
  "msg.admin.alert_acknowledged": "Warnung bestätigt.",
  "msg.admin.policy_saved": "Die 2FA-Richtlinie ist gespeichert.",
  "msg.admin.password_policy_saved": "Die Passwortrichtlinie ist gespeichert.",
  "msg.admin.user_created": "Benutzer angelegt.",
  "msg.admin.required": "Für diesen Benutzer ist 2FA jetzt verpflichtend.",
  "msg.admin.unrequired":
    "Kein Administrator verlangt mehr 2FA für diesen Benutzer; die Richtlinie gilt weiterhin.",
  "msg.admin.twofa_disabled":
    "2FA ist für diesen Benutzer ausgeschaltet, und seine Sitzungen wurden beendet.",
  "msg.admin.unlocked": "Der Benutzer ist entsperrt.",
  "msg.admin.sessions_ended": "Alle Sitzungen dieses Benutzers wurden beendet.",
  "msg.admin.grace_extended": "Die Übergangsfrist ist verlängert.",
  "msg.admin.disabled": "Das Konto ist deaktiviert, und seine Sitzungen wurden beendet.",
  "msg.admin.enabled": "Das Konto ist aktiviert.",
  "msg.admin.updated": "Rollen und Gruppen sind gespeichert.",
  "msg.admin.device_revoked": "Das vertrauenswürdige Gerät ist widerrufen.",
  "msg.admin.no_alert": "Diese Warnung gibt es nicht, oder sie wurde bereits bestätigt.",
  "msg.admin.bad_filter": "Dieser Filter ist ungültig; es werden alle Benutzer angezeigt.",
  "msg.admin.enter_username": "Geben Sie einen Benutzernamen ein.",
  "msg.admin.enter_initial_password": "Geben Sie ein Anfangspasswort ein.",
  "msg.admin.enter_email": "Geben Sie eine E-Mail-Adresse wie name@example.com ein.",
  "msg.admin.username_pattern": "Verwenden Sie 1–64 Buchstaben, Ziffern oder . _ @ + -.",
  "msg.admin.username_taken": "Dieser Benutzername ist bereits vergeben.",
  "msg.admin.name_too_long": "Verwenden Sie höchstens 64 Zeichen pro Name.",
  "msg.admin.too_many_names": "Geben Sie höchstens 50 Namen an.",
  "msg.admin.not_cidr": "„{item}“ ist kein CIDR-Bereich (wie 10.0.0.0/8).",
  "msg.admin.item_problem": "„{item}“: {message}",
  "msg.admin.at_least": "Geben Sie {n} oder mehr an.",
  "msg.admin.at_most": "Geben Sie {n} oder weniger an.",
  "msg.admin.whole_number": "Geben Sie eine ganze Zahl ein.",
  "msg.admin.max_entries": "Geben Sie höchstens {n} Einträge an.",
  "msg.admin.date_time": "Geben Sie Datum und Uhrzeit wie 2026-11-22T12:00 ein.",
  "msg.admin.days": "Geben Sie eine ganze Zahl von Tagen zwischen 1 und 365 ein.",
  "msg.max_characters": "Verwenden Sie höchstens {n} Zeichen.",
  "msg.password.min_length": "Verwenden Sie mindestens {n} Zeichen.",
  "msg.password.classes":
    "Mischen Sie mindestens {n} Zeichenarten: Kleinbuchstaben, Großbuchstaben, Ziffern, Sonderzeichen.",
  "msg.password.username": "Verwenden Sie Ihren Benutzernamen nicht in Ihrem Passwort.",
  "msg.password.common":
    "Dieses Passwort ist zu häufig. Wählen Sie eines, das nicht auf Listen geleakter Passwörter steht.",

  // ---- single sign-on and access rules ----
  "access.denied.title": "Zugriff verweigert",
  "access.denied.by_rule": "Eine Zugriffsregel erlaubt Ihnen den Zugriff auf {host} nicht.",
  "access.denied.by_default": "Keine Zugriffsregel erlaubt Ihnen den Zugriff auf {host}.",
  "access.denied.no_second_factor":
    "{host} verlangt eine Bestätigung in zwei Schritten, die diese Anmeldung nicht liefern kann.",
  "access.denied.signed_in_as": "Sie sind als {user} angemeldet.",
  "access.denied.add_factor": "Eine Authenticator-App zu Ihrem Konto hinzufügen",
  "access.denied.switch_account": "Abmelden, um ein anderes Konto zu verwenden",
  "sso.unknown_host.title": "Unbekannte Anwendung",
  "sso.unknown_host.message":
    "twofold meldet nicht bei dieser Adresse an. Bitten Sie Ihre Administration, den Host zu den geschützten Anwendungen hinzuzufügen.",
  "sso.code_failed.title": "Anmeldelink abgelaufen",
  "sso.code_failed.message":
    "Dieser Anmeldelink wurde schon verwendet oder ist abgelaufen. Öffnen Sie die Anwendung erneut, um einen neuen zu erhalten.",
  "sso.session_ended.message":
    "Ihre Sitzung ist beendet. Öffnen Sie die Anwendung erneut, um sich anzumelden.",
  "sso.back_to_app": "Zurück zur Anwendung",
  "sso.step_up.title": "Bestätigen Sie, dass Sie es sind",
  "sso.step_up.intro": "{host} verlangt einen aktuellen Code aus Ihrer Authenticator-App.",
  "sso.step_up.no_factor":
    "{host} verlangt eine Bestätigung in zwei Schritten. Fügen Sie Ihrem Konto zuerst eine Authenticator-App hinzu.",
  "admin.nav.access": "Zugriffsregeln",
  "admin.access.title": "Zugriffsregeln",
  "admin.access.intro":
    "Wer welche Anwendung hinter dem Forward-Auth erreichen darf. Die erste passende Regel entscheidet; was keine Regel trifft, erhält die Standardaktion.",
  "admin.access.builtin":
    "Es wurden noch keine Regeln gespeichert: Jede angemeldete Person kommt durch, alle anderen müssen sich anmelden.",
  "admin.access.current": "Geltende Regeln",
  "admin.access.col.n": "Nr.",
  "admin.access.col.match": "Anfrage",
  "admin.access.col.who": "Wer",
  "admin.access.col.action": "Aktion",
  "admin.access.anything": "alles",
  "admin.access.anyone": "alle",
  "admin.access.default_row": "Standard (nichts passt)",
  "admin.access.step_up": "Code jünger als {n} Min.",
  "admin.access.edit": "Regeln bearbeiten",
  "admin.access.document": "Regeln (JSON)",
  "admin.access.document_hint":
    "Die Standardaktion und eine Liste von Regeln. Jede Regel kann hosts, paths, methods, networks, users, groups und roles haben (fehlend: alles), eine action (deny, bypass, one_factor, two_factor) und mit two_factor step_up_minutes.",
  "admin.access.save": "Regeln speichern",
  "admin.access.saved": "Die Zugriffsregeln sind gespeichert und gelten.",
  "admin.access.invalid_json": "Das ist kein gültiges JSON: {message}",
  "admin.access.tester.title": "Wer darf diese URL erreichen?",
  "admin.access.tester.user": "Benutzername",
  "admin.access.tester.user_hint":
    "Leer lassen für eine nicht angemeldete Person. Ein Benutzer gilt als gerade eben mit zweitem Faktor angemeldet.",
  "admin.access.tester.url": "URL",
  "admin.access.tester.method": "Methode",
  "admin.access.tester.ip": "Client-Adresse (optional)",
  "admin.access.tester.submit": "Prüfen",
  "admin.access.tester.result": "Ergebnis",
  "admin.access.tester.by_rule": "Entschieden durch Regel {n}.",
  "admin.access.tester.by_default": "Entschieden durch die Standardaktion.",
  "admin.access.tester.no_user": "Es gibt keinen Benutzer mit diesem Namen.",
  "admin.access.tester.bad_url":
    "Geben Sie eine vollständige URL wie https://app.example.com/pfad ein.",
  "admin.access.tester.bad_ip": "Geben Sie eine IP-Adresse wie 192.0.2.10 ein oder nichts.",
  "admin.access.outcome.allow": "Erlaubt",
  "admin.access.outcome.deny": "Verweigert",
  "admin.access.outcome.login": "Muss sich zuerst anmelden",
  "admin.access.outcome.second_factor": "Muss zuerst einen zweiten Faktor angeben",
  "admin.access.outcome.step_up": "Muss zuerst einen frischen Code angeben",
  // ---- refresh tokens ----
  "error.invalid_refresh_token":
    "Dieses Erneuerungstoken ist ungültig, bereits verwendet oder abgelaufen. Melden Sie sich erneut an.",
  // ---- password expiry and history ----
  "admin.policy.max_age_days": "Höchstalter eines Passworts (Tage)",
  "admin.policy.max_age_days_hint":
    "0 = Passwörter laufen nie ab. Ein älteres Passwort muss bei der nächsten Anmeldung geändert werden.",
  "admin.policy.history_count": "Abgelehnte frühere Passwörter",
  "admin.policy.history_count_hint":
    "Ein neues Passwort darf weder das aktuelle noch eines der letzten sein (0 = keine Regel).",
  "password.expired.title": "Neues Passwort wählen",
  "password.expired.intro":
    "Ihr Passwort ist abgelaufen. Wählen Sie ein neues, um die Anmeldung abzuschließen.",
  "password.expired.submit": "Passwort ändern und anmelden",
  "msg.unknown_field": "Unbekanntes Feld.",
  "msg.password.reused": "Wählen Sie ein Passwort, das Sie nicht kürzlich verwendet haben.",
  // ---- issue 14 partials ----
  "error.delegation_disabled": "Die Delegation ist auf diesem Server ausgeschaltet.",
  "admin.nav.api_keys": "API-Schlüssel",
  "admin.keys.title": "API-Schlüssel",
  "admin.keys.intro":
    "Mit Schlüsseln rufen Programme die API im Namen eines Benutzers auf, ohne zweiten Faktor. Jeder Schlüssel wird nur einmal angezeigt, beim Erstellen; gespeichert wird nur ein Hash.",
  "admin.keys.col.created": "Erstellt",
  "admin.keys.none": "Keine gültigen API-Schlüssel.",
  "admin.keys.new": "Neuer API-Schlüssel",
  "admin.keys.days_hint": "1 bis 3650. Leer lassen für die Standarddauer.",
  "admin.keys.create": "Schlüssel erstellen",
  "admin.keys.created_title": "Neuer API-Schlüssel",
  "admin.keys.created_intro":
    "Der Schlüssel {name} für {user}. Kopieren Sie ihn jetzt: Er wird nicht wieder angezeigt.",
  "admin.keys.back": "Zurück zu den API-Schlüsseln",
  "msg.admin.key_revoked": "Der API-Schlüssel ist widerrufen.",
  "msg.admin.key_username": "Geben Sie den Benutzernamen des Schlüsselinhabers ein.",
  "msg.admin.key_name": "Benennen Sie den Schlüssel.",
  "msg.admin.key_scope": "Wählen Sie mindestens einen Bereich.",
  "msg.admin.key_days": "Geben Sie eine ganze Zahl von Tagen zwischen 1 und 3650 ein.",
  "msg.admin.no_such_user": "Es gibt keinen Benutzer mit diesem Namen.",
  "error.enrollment_not_allowed":
    "Ihre Organisation bietet für Ihr Konto keine Zwei-Faktor-Anmeldung an.",
  "admin.policy.field.exemptRoles": "Ausgenommene Rollen",
  "admin.policy.hint.exemptRoles":
    "Durch Kommas getrennt. Wie ausgenommene Gruppen: Mitglieder brauchen nie einen zweiten Faktor; Admins bleiben erfasst, solange das Kästchen oben angekreuzt ist.",
  "admin.policy.may_enroll": "Wer 2FA nutzen darf",
  "admin.policy.field.mayEnrollRoles": "Rollen, die 2FA einrichten dürfen",
  "admin.policy.field.mayEnrollGroups": "Gruppen, die 2FA einrichten dürfen",
  "admin.policy.hint.mayEnrollRoles":
    "Durch Kommas getrennt. Beide leer lassen, damit alle 2FA einrichten dürfen; wer 2FA nutzen muss, darf es immer.",
  "admin.policy.hint.mayEnrollGroups": "Durch Kommas getrennt.",
  "tokens.expires_in_days": "Läuft ab nach (Tagen)",
  "tokens.expires_in_days_hint": "1 bis 365. Leer lassen für die Standarddauer.",
  // ---- delegation ----
  "delegation.start": "Als {name} handeln",
  "delegation.banner":
    "Sie handeln als {user} (angemeldet als {admin}). Passwort, Faktoren und Token dieser Person können Sie nicht ändern.",
  "delegation.end": "Nicht mehr als diese Person handeln",
  "delegation.failed_title": "Handeln als diese Person nicht möglich",
  // ---- oidc ----
  "login.continue_title": "Angemeldet",
  "login.continue_text": "Zurück zur App …",
  "oidc.error.title": "Anmeldung bei dieser App nicht möglich",
  "oidc.error.unknown_client":
    "Die App, die Sie hierher geschickt hat, ist bei twofold nicht registriert.",
  "oidc.error.redirect_uri":
    "Die App, die Sie hierher geschickt hat, möchte zu einer Adresse zurück, die sie nicht registriert hat.",
  "oidc.error.not_configured": "Dieses twofold dient Apps nicht als Anmeldedienst.",
  "oidc.error.hint": "Sagen Sie es dem Administrator der App; ihr wurde nichts gesendet.",
  "oidc.logout.question": "Eine App möchte Sie von twofold abmelden. Abmelden?",
  "oidc.logout.done_title": "Abgemeldet",
  "oidc.logout.done":
    "Sie sind von twofold und von den Apps abgemeldet, bei denen Sie sich damit angemeldet haben.",
  "oidc.apps.title": "Apps, bei denen Sie angemeldet sind",
  "oidc.apps.intro":
    "Diese Apps melden Sie mit twofold an. Wenn Sie eine App abmelden, endet ihr Zugriff sofort; sie fragt Sie dann erneut nach der Anmeldung.",
  "oidc.apps.none": "Sie sind mit twofold bei keiner App angemeldet.",
  "oidc.apps.col.app": "App",
  "oidc.apps.col.first": "Angemeldet",
  "oidc.apps.col.last": "Zuletzt benutzt",
  "oidc.apps.col.action": "Aktion",
  "oidc.apps.revoke": "Von dieser App abmelden",
  "oidc.apps.revoked": "Die App ist abgemeldet.",
  "oidc.apps.link": "Apps, bei denen Sie mit twofold angemeldet sind",
  "admin.nav.apps": "Apps (OpenID Connect)",
  "oidc.console.title": "Apps, die sich mit twofold anmelden",
  "oidc.console.discovery": "Discovery-URL für die Apps:",
  "oidc.console.no_issuer":
    "Setzen Sie PUBLIC_URL, um den OpenID-Connect-Anbieter einzuschalten: Sie ist der Aussteller.",
  "oidc.console.created": "App registriert",
  "oidc.console.copy_secret": "Geheimnis kopieren",
  "oidc.console.secret_once":
    "Kopieren Sie das Geheimnis jetzt in die Einstellungen der App: Es wird nur dieses eine Mal angezeigt.",
  "oidc.console.public_note": "Eine öffentliche App hat kein Geheimnis; sie muss PKCE verwenden.",
  "oidc.console.list": "Registrierte Apps",
  "oidc.console.none": "Noch ist keine App registriert.",
  "oidc.console.col.name": "Name",
  "oidc.console.col.client_id": "Client-ID",
  "oidc.console.col.type": "Art",
  "oidc.console.col.redirect_uris": "Weiterleitungs-URIs",
  "oidc.console.col.alg": "Signatur",
  "oidc.console.public": "öffentlich (PKCE)",
  "oidc.console.confidential": "vertraulich",
  "oidc.console.delete": "{name} löschen",
  "oidc.console.new": "App registrieren",
  "oidc.console.name": "Name",
  "oidc.console.redirect_uris": "Weiterleitungs-URIs",
  "oidc.console.post_logout": "Adressen nach der Abmeldung (optional)",
  "oidc.console.uris_hint": "Eine pro Zeile, genau so, wie die App sie sendet.",
  "oidc.console.public_check":
    "Öffentliche App (im Browser oder auf einem Gerät: kein Geheimnis, PKCE erforderlich)",
  "oidc.console.rs256_check":
    "Ihre Tokens mit RS256 signieren (für Apps, die nichts anderes akzeptieren)",
  "oidc.console.submit": "App registrieren",
  "oidc.console.bad_uri": "keine absolute http(s)-URL ohne Fragment",
  "oidc.console.bad_field":
    "Füllen Sie dieses Feld aus (höchstens 100 Zeichen; höchstens 10 Adressen).",
  "oidc.console.fix": "Korrigieren Sie die markierten Felder.",
  "oidc.console.no_rsa":
    "RS256 braucht einen RSA-Schlüssel in SIGNING_KEYS (deno task cli keys:generate erzeugt einen).",
  "msg.oidc.client_deleted": "Die App ist gelöscht; ihre Tokens funktionieren nicht mehr.",
  // ---- mail: reset links, security notifications, "this was not me" ----
  "mail.greeting": "Hallo {name},",
  "mail.fact.account": "Konto",
  "mail.fact.when": "Wann",
  "mail.fact.address": "Adresse",
  "mail.fact.device": "Gerät",
  "mail.unknown": "unbekannt",
  "mail.if_you": "Wenn Sie das waren, müssen Sie nichts tun.",
  "mail.not_me.intro":
    "Wenn Sie das nicht waren, öffnen Sie den Link unten. Er meldet Ihr Konto überall ab, vergisst alle vertrauenswürdigen Geräte, sperrt das Konto, bis ein Administrator es geprüft hat, und alarmiert die Administratoren.",
  "mail.not_me.link": "Das war ich nicht",
  "mail.not_me.expires": "Der Link funktioniert einmal, bis {date}.",
  "mail.footer":
    "{issuer} sendet Ihnen diese Nachricht wegen einer Änderung an Ihrem Konto. Sie enthält nie ein Passwort oder einen Code.",
  "mail.reset.subject": "{issuer}: Passwort zurücksetzen",
  "mail.reset.body":
    "Jemand hat verlangt, das Passwort Ihres Kontos zurückzusetzen. Um ein neues Passwort zu wählen, öffnen Sie diesen Link:",
  "mail.reset.expires":
    "Der Link funktioniert einmal, bis {date}. Ihr zweiter Faktor wird bei der nächsten Anmeldung weiterhin abgefragt.",
  "mail.reset.ignore":
    "Wenn Sie das nicht verlangt haben, ignorieren Sie diese Nachricht: Ihr Passwort bleibt, wie es ist.",
  "mail.password_changed.subject": "{issuer}: Ihr Passwort wurde geändert",
  "mail.password_changed.body":
    "Das Passwort Ihres Kontos wurde geändert. Ihre anderen Sitzungen und vertrauenswürdigen Geräte wurden abgemeldet.",
  "mail.password_reset.subject": "{issuer}: Ihr Passwort wurde zurückgesetzt",
  "mail.password_reset.body":
    "Das Passwort Ihres Kontos wurde über einen Link zurückgesetzt. Alle Sitzungen und vertrauenswürdigen Geräte wurden abgemeldet.",
  "mail.factor_added.subject": "{issuer}: ein Authenticator wurde hinzugefügt",
  "mail.factor_added.body": "Der Authenticator „{label}“ wurde Ihrem Konto hinzugefügt.",
  "mail.factor_replaced.subject": "{issuer}: Ihr Authenticator wurde ersetzt",
  "mail.factor_replaced.body":
    "Ein Authenticator Ihres Kontos wurde durch „{label}“ ersetzt; der alte funktioniert nicht mehr.",
  "mail.factor_removed.subject": "{issuer}: ein Authenticator wurde entfernt",
  "mail.factor_removed.body": "Der Authenticator „{label}“ wurde aus Ihrem Konto entfernt.",
  "mail.security_key_added.subject":
    "{issuer}: ein Sicherheitsschlüssel oder Passkey wurde hinzugefügt",
  "mail.security_key_added.body":
    "Der Sicherheitsschlüssel oder Passkey „{label}“ wurde Ihrem Konto hinzugefügt.",
  "mail.security_key_removed.subject":
    "{issuer}: ein Sicherheitsschlüssel oder Passkey wurde entfernt",
  "mail.security_key_removed.body":
    "Der Sicherheitsschlüssel oder Passkey „{label}“ wurde aus Ihrem Konto entfernt.",
  "mail.security_key_removed_by_admin.subject":
    "{issuer}: ein Administrator hat einen Sicherheitsschlüssel oder Passkey entfernt",
  "mail.security_key_removed_by_admin.body":
    "Ein Administrator hat den Sicherheitsschlüssel oder Passkey „{label}“ aus Ihrem Konto entfernt.",
  "mail.recovery_regenerated.subject": "{issuer}: neue Wiederherstellungscodes",
  "mail.recovery_regenerated.body":
    "Für Ihr Konto wurden neue Wiederherstellungscodes erzeugt; die alten funktionieren nicht mehr.",
  "mail.recovery_used.subject": "{issuer}: ein Wiederherstellungscode wurde verwendet",
  "mail.recovery_used.body":
    "Mit einem Wiederherstellungscode wurde sich bei Ihrem Konto angemeldet. Verbleibende Wiederherstellungscodes: {remaining}.",
  "mail.twofa_reset.subject": "{issuer}: Ihre Zwei-Faktor-Anmeldung wurde zurückgesetzt",
  "mail.twofa_reset.body":
    "Ein Administrator hat die Zwei-Faktor-Anmeldung Ihres Kontos zurückgesetzt: seine Authenticatoren und Wiederherstellungscodes wurden entfernt.",
  "mail.twofa_disabled.subject": "{issuer}: die Zwei-Faktor-Anmeldung wurde abgeschaltet",
  "mail.twofa_disabled.body":
    "Ein Administrator hat die Zwei-Faktor-Anmeldung für Ihr Konto abgeschaltet: seine Authenticatoren und Wiederherstellungscodes wurden entfernt.",
  "mail.twofa_turned_off.subject": "{issuer}: die Zwei-Faktor-Anmeldung wurde abgeschaltet",
  "mail.twofa_turned_off.body":
    "Die Zwei-Faktor-Anmeldung Ihres Kontos wurde aus einer seiner Sitzungen abgeschaltet: seine Authenticatoren und Wiederherstellungscodes wurden entfernt.",
  "mail.new_sign_in.subject": "{issuer}: Anmeldung von einem neuen Gerät",
  "mail.new_sign_in.body":
    "Jemand hat sich bei Ihrem Konto von einem Gerät oder einer Adresse angemeldet, die für dieses Konto noch nie gesehen wurden.",
  "mail.account_locked.subject": "{issuer}: Ihr Konto wurde gesperrt",
  "mail.account_locked.body":
    "Ihr Konto ist nach zu vielen falschen Passwörtern bis {until} gesperrt. Möglicherweise versucht jemand, Ihr Passwort zu erraten.",
  "admin.alerts.reported":
    "{username} hat eine Änderung an seinem Konto als nicht von ihm gemeldet: Das Konto ist gesperrt (deaktiviert), bis ein Administrator es wieder aktiviert",
  "admin.users.no_email": "keine",
  "admin.user.no_email":
    "Keine: Weder Links zum Zurücksetzen noch Sicherheits-E-Mails erreichen diesen Benutzer",
  "notme.title": "Ihr Konto schützen",
  "notme.intro":
    "Sie melden, dass eine Änderung an Ihrem Konto nicht von Ihnen stammt. Bestätigen Sie, und:",
  "notme.step.sessions":
    "alle Sitzungen des Kontos werden abgemeldet und alle vertrauenswürdigen Geräte vergessen;",
  "notme.step.lock":
    "das Konto wird gesperrt: niemand kann sich anmelden, auch nicht mit dem richtigen Passwort und Code;",
  "notme.step.alert": "die Administratoren werden alarmiert.",
  "notme.confirm": "Mein Konto sperren",
  "notme.invalid":
    "Dieser Link ist nicht gültig: Er wurde schon verwendet oder ist abgelaufen. Wenn Sie weiterhin glauben, dass jemand anderes Ihr Konto nutzt, wenden Sie sich an Ihren Administrator.",
  "notme.done.title": "Ihr Konto ist gesperrt",
  "notme.done.body":
    "Alle Sitzungen wurden abgemeldet und alle vertrauenswürdigen Geräte vergessen. Niemand kann sich jetzt bei dem Konto anmelden.",
  "notme.done.next":
    "Wie es weitergeht: Ein Administrator prüft das Konto und meldet sich bei Ihnen. Sobald es entsperrt ist, setzen Sie Ihr Passwort zurück und richten Ihren Authenticator neu ein; bis dahin müssen Sie nichts weiter tun.",
  // ---- webauthn ----
  "msg.notice.security_key_removed_admin":
    "Sicherheitsschlüssel entfernt. Laufende Anmeldungen wurden beendet.",
  "admin.policy.webauthn.second_factor":
    "Sicherheitsschlüssel und Passkeys dürfen den Code nach dem Passwort ersetzen",
  "admin.policy.webauthn.passkey": "Ein Passkey allein darf anmelden (mit Benutzerüberprüfung)",
  "admin.policy.webauthn.fallback": "Benutzer mit Schlüsseln müssen außerdem behalten",
  "admin.policy.webauthn.fallback.none": "nichts weiter",
  "admin.policy.webauthn.fallback.totp": "eine Authenticator-App",
  "admin.policy.webauthn.fallback.totp_or_recovery":
    "eine Authenticator-App oder Wiederherstellungscodes",
  "admin.policy.field.webauthn": "Sicherheitsschlüssel und Passkeys",
  "webauthn.keys": "Sicherheitsschlüssel und Passkeys",
  "webauthn.no_keys": "Noch kein Sicherheitsschlüssel und kein Passkey.",
  "webauthn.passkey": "Passkey",
  "webauthn.add": "Sicherheitsschlüssel oder Passkey hinzufügen",
  "webauthn.needs_script":
    "Sicherheitsschlüssel und Passkeys brauchen JavaScript in diesem Browser.",
  "webauthn.failed":
    "Der Browser hat keinen Schlüssel erstellt oder verwendet. Versuchen Sie es erneut oder auf anderem Weg.",
  "webauthn.new.title": "Sicherheitsschlüssel oder Passkey hinzufügen",
  "webauthn.new.intro":
    "Geben Sie ihm einen Namen, den Sie wiedererkennen, und folgen Sie dann Ihrem Browser: Schlüssel berühren oder am Gerät bestätigen.",
  "webauthn.new.submit": "Schlüssel hinzufügen",
  "webauthn.name": "Name",
  "webauthn.name_hint": "Zum Beispiel: blauer Schlüssel, Arbeitslaptop.",
  "webauthn.login.heading": "Oder mit einem Sicherheitsschlüssel",
  "webauthn.login.use": "Sicherheitsschlüssel verwenden",
  "webauthn.passkey.heading": "Oder mit einem Passkey anmelden",
  "webauthn.passkey.use": "Mit einem Passkey anmelden",
  "account.method.pop": "Sicherheitsschlüssel",
  "account.method.mfa": "Passkey",
  "error.invalid_security_key":
    "Dieser Sicherheitsschlüssel oder Passkey wurde nicht angenommen. Versuchen Sie es erneut oder verwenden Sie einen Code.",
  "error.security_keys_disabled":
    "Sicherheitsschlüssel werden hier nicht als zweiter Faktor angenommen.",
  "error.passkey_sign_in_disabled": "Die Anmeldung nur mit einem Passkey ist ausgeschaltet.",
  "error.fallback_required":
    "Ihre Organisation verlangt, dass Sie neben Ihren Sicherheitsschlüsseln eine Authenticator-App (oder Wiederherstellungscodes) behalten.",
  "msg.notice.security_key_added":
    "Ihr Sicherheitsschlüssel ist bereit. Ihre anderen Sitzungen wurden beendet.",
  "msg.notice.security_key_renamed": "Sicherheitsschlüssel umbenannt.",
  "msg.notice.security_key_removed":
    "Sicherheitsschlüssel entfernt. Ihre anderen Sitzungen wurden beendet.",
  // ---- setup (first run) ----
  "setup.title": "{issuer} einrichten",
  "setup.intro":
    "Noch gibt es keinen Administrator. Wählen Sie Benutzername und Passwort des ersten; danach fügen Sie eine Authenticator-App hinzu, denn Administratoren melden sich immer mit einem Code an.",
  "setup.username": "Benutzername des Administrators",
  "setup.password": "Passwort des Administrators",
  "setup.password_hint": "Mindestens 12 Zeichen; einige ungewöhnliche Wörter eignen sich gut.",
  "setup.next": "Danach: Scannen Sie einen QR-Code mit Ihrer Authenticator-App.",
  "setup.submit": "Administrator anlegen",
  "msg.setup_done_title": "Die Einrichtung ist abgeschlossen",
  "msg.setup_done":
    "Es gibt einen Administrator, daher funktioniert dieser Einrichtungslink nicht mehr.",
  "msg.setup_invalid_title": "Einrichtungslink ungültig",
  "msg.setup_invalid":
    "Dieser Einrichtungslink ist ungültig oder abgelaufen. Starten Sie den Dienst neu, um einen neuen zu erhalten.",
};
