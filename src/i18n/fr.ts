/**
 * @module French messages (formal "vous"). A no-break space (\u00a0) goes before : ; ? ! as
 * French typography wants, so those never start a line.
 */
import type { Messages } from "./en.ts";

export const fr: Messages = {
  // ---- layout and shared words ----
  "layout.skip": "Aller au contenu",
  "layout.language": "Langue",
  "layout.logout": "Se déconnecter",
  "common.never": "jamais",
  "common.no": "Non",
  "common.continue": "Continuer",
  "common.cancel": "Annuler",
  "common.back_to_sign_in": "Retour à la connexion",
  "common.back_to_account": "Retour à votre compte",
  "copy.done": "Copié",
  "copy.failed": "Sélectionnez le texte et copiez-le",

  // ---- error pages ----
  "errors.csrf.title": "Formulaire expiré",
  "errors.not_found.title": "Page introuvable",
  "errors.not_found.message": "Il n'y a pas de page à cette adresse.",
  "errors.not_found.home": "Accueil",
  "errors.internal.title": "Une erreur s'est produite",
  "errors.too_large.title": "Trop volumineux",
  "errors.timeout.title": "Trop lent",

  // ---- login ----
  "login.title": "Connexion",
  "login.username": "Nom d'utilisateur",
  "login.password": "Mot de passe",
  "login.remember_me.one": "Rester connecté pendant {n}\u00a0jour",
  "login.remember_me.other": "Rester connecté pendant {n}\u00a0jours",
  "login.submit": "Continuer",
  "login.forgot": "Mot de passe oublié\u00a0?",
  "login.cancel": "Annuler et se connecter avec un autre compte",
  "totp.title": "Saisissez votre code",
  "totp.intro":
    "Ouvrez votre application d'authentification et saisissez le code qu'elle affiche pour {issuer}.",
  "totp.code": "Code",
  "totp.device_legend": "Cet appareil",
  "totp.trust.one": "Faire confiance à cet appareil pendant {n}\u00a0jour",
  "totp.trust.other": "Faire confiance à cet appareil pendant {n}\u00a0jours",
  "totp.device_name": "Nom de l'appareil",
  "totp.submit": "Vérifier",
  "totp.use_recovery": "Utiliser plutôt un code de récupération",
  "recovery.title": "Utiliser un code de récupération",
  "recovery.intro":
    "Saisissez l'un des codes de récupération que vous avez enregistrés lors de la configuration de la connexion à deux facteurs. Chaque code ne sert qu'une fois.",
  "recovery.code": "Code de récupération",
  "recovery.use_app": "Utiliser plutôt un code de votre application",
  "recovery.used.title": "Connecté avec un code de récupération",
  "recovery.used.message": "Ce code est désormais utilisé.",
  "recovery.used.left.one": "Il vous reste {n}\u00a0code de récupération.",
  "recovery.used.left.other": "Il vous reste {n}\u00a0codes de récupération.",
  "recovery.used.few": "Générez bientôt une nouvelle série depuis la page de votre compte.",
  "grace.title": "Configurez bientôt la connexion à deux facteurs",
  "grace.message":
    "Votre organisation exige la connexion à deux facteurs. Vous pouvez encore vous connecter sans elle jusqu'au {date}\u00a0; ensuite, la configurer sera le seul moyen d'accéder à votre compte.",
  "grace.now": "La configurer maintenant",
  "grace.later": "Plus tard",
  "logout.title": "Déconnexion",
  "logout.question": "Mettre fin à votre session sur cet appareil\u00a0?",

  // ---- enrollment ----
  "enroll.title": "Configurer la connexion à deux facteurs",
  "enroll.during_login":
    "Votre compte exige un second facteur. Configurez une application d'authentification pour continuer.",
  "enroll.scan":
    "Scannez ce code QR avec votre application d'authentification (Google Authenticator, Aegis, 1Password, …).",
  "enroll.qr_label": "Code QR pour votre application d'authentification",
  "enroll.by_hand": "Ou saisissez cette clé à la main\u00a0:",
  "enroll.copy_key": "Copier la clé",
  "enroll.details": "Détails",
  "enroll.params":
    "Basé sur le temps, {algorithm}, {digits}\u00a0chiffres, toutes les {period}\u00a0secondes.",
  "enroll.code": "Saisissez le code affiché par votre application",
  "enroll.submit": "Confirmer",
  "codes.title": "Enregistrez vos codes de récupération",
  "codes.intro":
    "Votre application d'authentification est configurée. Si vous perdez votre téléphone, chacun de ces codes vous permet de vous connecter une fois. Conservez-les dès maintenant en lieu sûr\u00a0: {warning}",
  "codes.not_again": "ils ne seront plus affichés.",
  "codes.copy": "Copier les codes",
  "codes.continue": "J'ai enregistré mes codes, continuer",
  "codes.new_title": "Vos nouveaux codes de récupération",
  "codes.new_intro":
    "Vos anciens codes de récupération ne fonctionnent plus. Enregistrez ceux-ci maintenant\u00a0: {warning}",
  "codes.download": "Télécharger en fichier texte",
  "codes.file_heading": "Codes de récupération {name}\nChaque code ne sert qu'une fois.",
  "pass.title": "Saisissez votre code d'activation",
  "pass.intro":
    "Un administrateur a réinitialisé votre connexion à deux facteurs. Pour configurer une nouvelle application d'authentification, saisissez le code d'activation à usage unique qu'il vous a remis.",
  "pass.label": "Code d'activation",

  // ---- account ----
  "account.title": "Votre compte",
  "account.signed_in": "Connecté en tant que {name}.",
  "account.signed_in_recovery": "Connecté en tant que {name} avec un code de récupération.",
  "account.signed_in_device": "Connecté en tant que {name} sur un appareil de confiance.",
  "account.change_password": "Changer votre mot de passe",
  "account.admin_console": "Console d'administration",
  "account.reauth_hint":
    "Pour modifier votre second facteur, votre mot de passe et un code vous seront d'abord demandés.",
  "account.authenticators": "Applications d'authentification",
  "account.no_authenticator": "Aucune application d'authentification n'est configurée.",
  "account.col.name": "Nom",
  "account.col.added": "Ajoutée le",
  "account.col.last_used": "Dernière utilisation",
  "account.col.actions": "Actions",
  "account.col.device": "Appareil",
  "account.col.trusted_since": "De confiance depuis",
  "account.col.until": "Jusqu'au",
  "account.col.started": "Début",
  "account.col.last_seen": "Dernière activité",
  "account.col.from": "Depuis",
  "account.col.second_factor": "Second facteur",
  "account.rename": "Renommer",
  "account.replace": "Remplacer",
  "account.remove": "Supprimer",
  "account.revoke": "Révoquer",
  "account.end": "Terminer",
  "account.drift.behind":
    "L'horloge de votre téléphone semble retarder d'environ {seconds}\u00a0s. Activez l'heure automatique sur le téléphone, sinon les codes risquent bientôt de ne plus fonctionner.",
  "account.drift.ahead":
    "L'horloge de votre téléphone semble avancer d'environ {seconds}\u00a0s. Activez l'heure automatique sur le téléphone, sinon les codes risquent bientôt de ne plus fonctionner.",
  "account.add_authenticator": "Ajouter une application d'authentification",
  "account.recovery_codes": "Codes de récupération",
  "account.recovery_remaining.one": "{n} de vos codes de récupération est inutilisé.",
  "account.recovery_remaining.other": "{n} de vos codes de récupération sont inutilisés.",
  "account.recovery_low":
    "Il vous reste peu de codes de récupération. Générez-en une nouvelle série.",
  "account.recovery_generate": "Générer de nouveaux codes de récupération",
  "account.devices": "Appareils de confiance",
  "account.no_devices": "Aucun appareil n'est dispensé du code.",
  "account.this_device": "(cet appareil)",
  "account.sessions": "Sessions",
  "account.this_session": "(cette session)",
  "account.unknown_address": "adresse inconnue",
  "account.method.otp": "code d'application",
  "account.method.rec": "code de récupération",
  "account.method.dev": "appareil de confiance",
  "account.method.pwd": "mot de passe seul",
  "account.end_others": "Terminer toutes les autres sessions",
  "account.end_all": "Se déconnecter partout",
  "account.twofa": "Connexion à deux facteurs",
  "account.twofa_off_hint":
    "La désactiver supprime vos applications d'authentification, vos codes de récupération et vos appareils de confiance.",
  "account.twofa_off": "Désactiver la connexion à deux facteurs",
  "reauth.title": "Confirmez votre identité",
  "reauth.intro":
    "Saisissez votre mot de passe et un code de votre application d'authentification (ou un code de récupération).",
  "reauth.code": "Code de votre application",

  // ---- personal access tokens ----
  "tokens.title": "Jetons d'accès personnels",
  "tokens.intro":
    "Pour les scripts qui agissent en votre nom. Ils se passent du second facteur\u00a0: ils ne peuvent donc jamais modifier votre mot de passe, vos facteurs ni vos clés.",
  "tokens.col.scopes": "Portées",
  "tokens.col.expires": "Expire le",
  "tokens.name": "Nom du jeton",
  "tokens.code": "Code de votre application d'authentification",
  "tokens.create": "Créer le jeton",
  "tokens.new_title": "Votre nouveau jeton",
  "tokens.new_intro": "Copiez le jeton {name} maintenant\u00a0: il ne sera plus affiché.",
  "tokens.copy": "Copier le jeton",

  // ---- passwords ----
  "password.change.title": "Changer votre mot de passe",
  "password.change.intro":
    "Vos autres sessions et vos appareils de confiance prennent fin lorsque vous changez votre mot de passe.",
  "password.current": "Mot de passe actuel",
  "password.new": "Nouveau mot de passe",
  "password.hint":
    "Au moins 12\u00a0caractères. Quelques mots sans rapport entre eux font un bon mot de passe.",
  "password.change.submit": "Changer le mot de passe",
  "password.forgot.title": "Mot de passe oublié\u00a0?",
  "password.forgot.sent":
    "Si un compte correspond, un lien de réinitialisation est en route. Il fonctionne une seule fois, pendant une heure.",
  "password.forgot.username": "Nom d'utilisateur ou adresse e-mail",
  "password.forgot.submit": "Envoyer un lien de réinitialisation",
  "password.reset.title": "Choisissez un nouveau mot de passe",
  "password.reset.intro":
    "Votre application d'authentification reste inchangée\u00a0: un code vous sera toujours demandé pour vous connecter.",
  "password.reset.submit": "Enregistrer le nouveau mot de passe",

  // ---- admin console ----
  "admin.nav.label": "Console d'administration",
  "admin.nav.dashboard": "Tableau de bord",
  "admin.nav.users": "Utilisateurs",
  "admin.nav.policy": "Politique",
  "admin.nav.audit": "Journal d'audit",
  "admin.nav.account": "Votre compte",
  "admin.forbidden.title": "Réservé aux administrateurs",
  "admin.forbidden.message":
    "La console d'administration est réservée aux administrateurs connectés avec un second facteur (un code d'application, un code de récupération ou un appareil de confiance).",
  "admin.status.enrolled": "Configurée",
  "admin.status.not_enrolled": "Non configurée",
  "admin.status.required_not_enrolled": "Exigée, non configurée",
  "admin.status.grace": "En délai de grâce",
  "admin.status.locked": "Verrouillé",
  "admin.col.when": "Quand",
  "admin.col.when_utc": "Quand (UTC)",
  "admin.col.user": "Utilisateur",
  "admin.col.users": "Utilisateurs",
  "admin.col.what": "Quoi",
  "admin.col.status": "Statut",
  "admin.col.roles": "Rôles",
  "admin.col.groups": "Groupes",
  "admin.col.locked": "Verrouillé",
  "admin.col.disabled": "Désactivé",
  "admin.col.clock": "Horloge",
  "admin.col.now": "Actuellement",
  "admin.col.after": "Après",
  "admin.col.setting": "Paramètre",
  "admin.col.event": "Événement",
  "admin.col.outcome": "Résultat",
  "admin.col.address": "Adresse",
  "admin.col.detail": "Détail",
  "admin.filter": "Filtrer",
  "admin.dashboard.title": "Console d'administration",
  "admin.emergency.title": "L'accès d'urgence a été utilisé",
  "admin.emergency.intro":
    "Quelqu'un a lancé la commande d'urgence sur le serveur au cours des 30\u00a0derniers jours. Vérifiez que c'était prévu.",
  "admin.emergency.reset_pass":
    "{when}\u00a0: 2FA de {user} réinitialisée avec un code d'activation",
  "admin.emergency.reset_plain": "{when}\u00a0: 2FA de {user} réinitialisée (simple)",
  "admin.emergency.via": "via {via}",
  "admin.emergency.all": "Tous les événements d'urgence",
  "admin.alerts.title": "Alertes ouvertes",
  "admin.alerts.none": "Aucune alerte ouverte.",
  "admin.alerts.failures":
    "{failures}\u00a0tentatives de second facteur échouées en {minutes}\u00a0minutes",
  "admin.alerts.several": "Plusieurs",
  "admin.alerts.few": "quelques",
  "admin.alerts.ack": "Acquitter",
  "admin.counts.title": "Statut de la connexion à deux facteurs",
  "admin.counts.all": "Tous les utilisateurs",
  "admin.more.title": "Plus",
  "admin.more.users": "{users} et {new}",
  "admin.more.new_user": "un nouvel utilisateur",
  "admin.more.policy": "Politique 2FA et mots de passe",
  "admin.more.compliance": "{link}\u00a0: le statut 2FA de chaque utilisateur",
  "admin.more.compliance_link": "Rapport de conformité (CSV)",
  "admin.users.search_label": "Rechercher des utilisateurs",
  "admin.users.search": "Rechercher",
  "admin.users.status": "Statut 2FA",
  "admin.users.any": "Tous",
  "admin.users.count.one": "{n}\u00a0utilisateur",
  "admin.users.count.other": "{n}\u00a0utilisateurs",
  "admin.users.clear": "Effacer le filtre",
  "admin.users.none": "Aucun utilisateur ne correspond.",
  "admin.users.service": "(service)",
  "admin.users.disabled": "Désactivé",
  "admin.users.until": "jusqu'au {date}",
  "admin.users.pages": "Pages",
  "admin.users.previous": "Précédente",
  "admin.users.next": "Suivante",
  "admin.users.page_of": "Page {page} sur {pages}",
  "admin.new_user.title": "Créer un utilisateur",
  "admin.new_user.password": "Mot de passe initial",
  "admin.new_user.password_hint":
    "Transmettez-le à la personne par un canal séparé. Laissez-le vide pour un compte de service.",
  "admin.new_user.roles_hint": "Séparés par des virgules, p.\u00a0ex. «\u00a0admin\u00a0».",
  "admin.new_user.groups_hint":
    "Séparés par des virgules, p.\u00a0ex. «\u00a0finance, support\u00a0».",
  "admin.new_user.email": "Adresse e-mail (facultative, pour réinitialiser le mot de passe)",
  "admin.new_user.service":
    "Compte de service (pas de connexion interactive, accessible uniquement par clés d'API)",
  "admin.new_user.submit": "Créer l'utilisateur",
  "admin.user.title": "Utilisateur {name}",
  "admin.user.email": "Adresse e-mail",
  "admin.user.account": "Compte",
  "admin.user.active": "Actif",
  "admin.user.service_suffix": ", compte de service",
  "admin.user.created": "Créé le",
  "admin.user.required": "2FA exigée",
  "admin.user.required_admin": "Oui, par un administrateur",
  "admin.user.required_policy": "Oui, par la politique",
  "admin.user.pass_until": "Émis, valable jusqu'au {date}",
  "admin.user.locked_until": "Jusqu'au {date}",
  "admin.user.drift_behind": "en retard d'environ {seconds}\u00a0s",
  "admin.user.drift_ahead": "en avance d'environ {seconds}\u00a0s",
  "admin.user.in_step": "à l'heure",
  "admin.user.actions": "Actions",
  "admin.user.actions_hint":
    "Chaque action demande d'abord votre confirmation et est consignée dans le journal d'audit.",
  "admin.user.reset_pass": "Réinitialiser la 2FA avec un code d'activation",
  "admin.user.reset_plain": "Réinitialisation simple de la 2FA",
  "admin.user.edit_title": "Rôles et groupes",
  "admin.user.edit_hint":
    "Séparés par des virgules. Les groupes et les rôles déterminent pour qui la politique exige la 2FA.",
  "admin.user.edit_review": "Vérifier la modification",
  "admin.user.audit_link": "Événements d'audit de cet utilisateur",
  "admin.action.require-2fa.title": "Exiger la 2FA",
  "admin.action.require-2fa.question":
    "Exiger la connexion à deux facteurs pour {name}, quelle que soit la politique\u00a0?",
  "admin.action.require-2fa.detail":
    "Sans application d'authentification, cette personne en configurera une à sa prochaine connexion (après un éventuel délai de grâce).",
  "admin.action.require-2fa.button": "Exiger la 2FA",
  "admin.action.unrequire-2fa.title": "Ne plus exiger la 2FA",
  "admin.action.unrequire-2fa.question":
    "Ne plus exiger la connexion à deux facteurs pour {name}\u00a0?",
  "admin.action.unrequire-2fa.detail":
    "La politique continue de s'appliquer à cette personne\u00a0; ses applications d'authentification sont conservées.",
  "admin.action.unrequire-2fa.button": "Ne plus exiger la 2FA",
  "admin.action.reset-2fa.title": "Réinitialiser la 2FA",
  "admin.action.reset-2fa.question": "Réinitialiser la connexion à deux facteurs de {name}\u00a0?",
  "admin.action.reset-2fa.detail":
    "Ses applications d'authentification, codes de récupération et appareils de confiance sont supprimés et toutes ses sessions prennent fin. Une nouvelle application d'authentification sera configurée à la prochaine connexion.",
  "admin.action.reset-2fa.button": "Réinitialiser la 2FA",
  "admin.action.disable-2fa.title": "Désactiver la 2FA",
  "admin.action.disable-2fa.question": "Désactiver la connexion à deux facteurs de {name}\u00a0?",
  "admin.action.disable-2fa.detail":
    "Ses applications d'authentification, codes de récupération et appareils de confiance sont supprimés et toutes ses sessions prennent fin. Son mot de passe suffira pour se connecter.",
  "admin.action.disable-2fa.blocked":
    "La politique exige la connexion à deux facteurs pour {name}\u00a0: elle ne peut donc pas être désactivée.",
  "admin.action.disable-2fa.button": "Désactiver la 2FA",
  "admin.action.unlock.title": "Déverrouiller",
  "admin.action.unlock.question": "Déverrouiller {name}\u00a0?",
  "admin.action.unlock.detail":
    "Cela lève le verrouillage du mot de passe et celui du second facteur.",
  "admin.action.unlock.button": "Déverrouiller",
  "admin.action.end-sessions.title": "Terminer toutes les sessions",
  "admin.action.end-sessions.question": "Terminer toutes les sessions de {name}\u00a0?",
  "admin.action.end-sessions.detail":
    "Cette personne est déconnectée partout. Ses appareils de confiance le restent.",
  "admin.action.end-sessions.button": "Terminer toutes les sessions",
  "admin.action.extend-grace.title": "Prolonger le délai de grâce",
  "admin.action.extend-grace.question":
    "Accorder à {name} plus de temps pour configurer la connexion à deux facteurs\u00a0?",
  "admin.action.extend-grace.detail":
    "Compté à partir de maintenant. D'ici là, cette personne peut se connecter sans second facteur.",
  "admin.action.extend-grace.button": "Prolonger le délai de grâce",
  "admin.action.disable.title": "Désactiver le compte",
  "admin.action.disable.question": "Désactiver le compte de {name}\u00a0?",
  "admin.action.disable.detail":
    "Cette personne ne peut plus se connecter et toutes ses sessions prennent fin.",
  "admin.action.disable.button": "Désactiver le compte",
  "admin.action.enable.title": "Activer le compte",
  "admin.action.enable.question": "Activer le compte de {name}\u00a0?",
  "admin.action.enable.detail": "Cette personne peut de nouveau se connecter.",
  "admin.action.enable.button": "Activer le compte",
  "admin.action.edit.title": "Modifier les rôles et les groupes",
  "admin.action.edit.question": "Modifier les rôles et les groupes de {name}\u00a0?",
  "admin.action.edit.detail":
    "Cela peut changer le fait que la politique exige ou non la connexion à deux facteurs pour cette personne.",
  "admin.action.edit.button": "Enregistrer les rôles et les groupes",
  "admin.action.revoke-device.title": "Révoquer un appareil de confiance",
  "admin.action.revoke-device.question": "Révoquer cet appareil de confiance de {name}\u00a0?",
  "admin.action.revoke-device.detail": "La prochaine connexion sur cet appareil demandera un code.",
  "admin.action.revoke-device.button": "Révoquer l'appareil",
  "admin.confirm.sure": "Êtes-vous sûr\u00a0?",
  "admin.confirm.device":
    "Appareil\u00a0: {name}, de confiance depuis le {since}, dernière utilisation\u00a0: {used}.",
  "admin.confirm.how": "Comment l'utilisateur configure à nouveau la 2FA",
  "admin.confirm.with_pass":
    "Avec un code d'activation à usage unique (recommandé)\u00a0: il lui faut ce code en plus de son mot de passe. Il vous est montré une seule fois et expire au bout de 24\u00a0heures.",
  "admin.confirm.plain":
    "Simple\u00a0: son mot de passe suffit pour configurer une nouvelle application d'authentification (à lui ou à quiconque le connaît).",
  "admin.confirm.days": "Jours à partir de maintenant",
  "admin.reset_done.title": "2FA réinitialisée",
  "admin.reset_done.notice":
    "La connexion à deux facteurs de {name} a été réinitialisée et toutes ses sessions ont pris fin.",
  "admin.reset_done.give":
    "Remettez ce code d'activation à usage unique à {name} par un canal de confiance (en personne, par téléphone). Il lui faut ce code en plus de son mot de passe pour configurer une nouvelle application d'authentification. {once} et expire le {expiry} (24\u00a0heures).",
  "admin.reset_done.once": "Il n'est affiché que cette fois",
  "admin.reset_done.copy": "Copier le code",
  "admin.reset_done.plain":
    "Son mot de passe suffit pour configurer une nouvelle application d'authentification à sa prochaine connexion.",
  "admin.reset_done.back": "Retour à {name}",
  "admin.policy.field.mode": "Qui doit utiliser la 2FA",
  "admin.policy.field.requiredRoles": "Rôles concernés",
  "admin.policy.field.requiredGroups": "Groupes concernés",
  "admin.policy.field.adminsAlways": "Les administrateurs utilisent toujours la 2FA",
  "admin.policy.field.exemptGroups": "Groupes exemptés",
  "admin.policy.field.networkRequire": "Réseaux où la 2FA est toujours exigée",
  "admin.policy.field.networkSkip": "Réseaux où le second facteur est omis",
  "admin.policy.field.graceDays": "Délai de grâce (jours)",
  "admin.policy.field.recoveryCodesEnabled": "Codes de récupération",
  "admin.policy.field.trustedDevicesEnabled": "Appareils de confiance",
  "admin.policy.field.trustedDeviceDays": "Validité des appareils de confiance (jours)",
  "admin.policy.field.totpAlgorithm": "Algorithme TOTP",
  "admin.policy.field.totpDigits": "Chiffres TOTP",
  "admin.policy.field.totpPeriod": "Période TOTP (secondes)",
  "admin.policy.field.totpWindow": "Fenêtre TOTP (pas de part et d'autre)",
  "admin.policy.field.alertThreshold": "Alerter au-delà de ce nombre d'échecs",
  "admin.policy.field.alertWindowMinutes": "Fenêtre d'alerte (minutes)",
  "admin.policy.invalid":
    "Certaines valeurs ne sont pas valides. Les champs ci-dessous indiquent pourquoi.",
  "admin.policy.everyone": "Tout le monde",
  "admin.policy.listed": "Seulement les rôles et groupes indiqués ci-dessous",
  "admin.policy.hint.requiredRoles":
    "Séparés par des virgules. Utilisés lorsque seuls les rôles et groupes indiqués doivent utiliser la 2FA.",
  "admin.policy.hint.requiredGroups": "Séparés par des virgules, p.\u00a0ex. finance, support.",
  "admin.policy.admins_always": "Les administrateurs utilisent toujours la 2FA (recommandé)",
  "admin.policy.hint.exemptGroups":
    "Séparés par des virgules. Leurs membres n'ont jamais besoin d'un second facteur\u00a0; les administrateurs restent couverts tant que la case ci-dessus est cochée.",
  "admin.policy.exempt_warning":
    "Attention\u00a0: un groupe exempté se connecte avec un simple mot de passe. Réservez-le aux comptes de service et similaires, jamais à des personnes.",
  "admin.policy.networks": "Réseaux",
  "admin.policy.hint.networkRequire":
    "Plages CIDR, une par ligne (p.\u00a0ex. 203.0.113.0/24). Prioritaires sur les exemptions et les omissions.",
  "admin.policy.hint.networkSkip":
    "Plages CIDR, une par ligne. Sans effet pour les administrateurs tant qu'ils utilisent toujours la 2FA.",
  "admin.policy.enrollment": "Configuration et appareils",
  "admin.policy.hint.graceDays":
    "Nombre de jours pendant lesquels un utilisateur peut encore se connecter sans second facteur après que celui-ci est devenu obligatoire pour lui. 0\u00a0: aucun.",
  "admin.policy.recovery_on": "Les codes de récupération sont émis et acceptés",
  "admin.policy.devices_on":
    "Les utilisateurs peuvent faire confiance à un appareil pour se passer du code",
  "admin.policy.codes": "Codes d'authentification (pour les nouvelles configurations)",
  "admin.policy.sha1": "SHA1 (compatible avec toutes les applications)",
  "admin.policy.alerts": "Alertes",
  "admin.policy.preview": "Prévisualiser la modification",
  "admin.policy.passwords": "Mots de passe",
  "admin.policy.min_length": "Longueur minimale",
  "admin.policy.min_classes": "Types de caractères exigés",
  "admin.policy.classes_none": "1 (aucune règle)",
  "admin.policy.classes": "{n} parmi minuscules, majuscules, chiffres, symboles",
  "admin.policy.forbid_username": "Refuser les mots de passe contenant le nom d'utilisateur",
  "admin.policy.forbid_common":
    "Refuser les mots de passe courants (49\u00a0000 issus de listes divulguées)",
  "admin.policy.save_passwords": "Enregistrer la politique des mots de passe",
  "admin.preview.title": "Aperçu de la modification de la politique",
  "admin.preview.would_block.one":
    "Cette modification bloquerait {n}\u00a0utilisateur qui n'a pas configuré la 2FA.",
  "admin.preview.would_block.other":
    "Cette modification bloquerait {n}\u00a0utilisateurs qui n'ont pas configuré la 2FA.",
  "admin.preview.next_login":
    "À leur prochaine connexion, ils devront configurer une application d'authentification avant d'accéder à leur compte\u00a0:",
  "admin.preview.blocks_nobody":
    "Cette modification ne bloque personne\u00a0: tous les utilisateurs pour qui elle exige la 2FA l'ont configurée ou disposent d'un délai de grâce.",
  "admin.preview.changes": "Modifications",
  "admin.preview.nothing": "Rien ne change.",
  "admin.preview.none": "aucun",
  "admin.preview.on": "activé",
  "admin.preview.off": "désactivé",
  "admin.preview.save": "Enregistrer",
  "admin.preview.back": "Retour au formulaire",
  "admin.audit.search_label": "Filtrer les événements",
  "admin.audit.user": "Utilisateur (nom ou identifiant)",
  "admin.audit.event": "Le type d'événement commence par",
  "admin.audit.from": "Du (UTC)",
  "admin.audit.to": "Au (UTC)",
  "admin.audit.event_hint":
    "p.\u00a0ex. «\u00a0admin.\u00a0» ou «\u00a0login.second_factor\u00a0».",
  "admin.audit.time_hint": "Les heures sont en UTC\u00a0; «\u00a0Au\u00a0» inclut toute la minute.",
  "admin.audit.newest": "Les {n}\u00a0événements les plus récents.",
  "admin.audit.count.one": "{n}\u00a0événement, le plus récent en premier.",
  "admin.audit.count.other": "{n}\u00a0événements, les plus récents en premier.",
  "admin.audit.export": "Exporter en CSV",
  "admin.audit.export_hint": "(jusqu'à 10\u00a0000\u00a0événements avec ces filtres)",
  "admin.audit.none": "Aucun événement ne correspond.",

  // ---- admin: active sessions ----
  "admin.nav.sessions": "Sessions",
  "admin.sessions.title": "Sessions actives",
  "admin.sessions.search_label": "Rechercher des sessions",
  "admin.sessions.user": "Utilisateur (nom ou identifiant)",
  "admin.sessions.count.one": "{n} session active",
  "admin.sessions.count.other": "{n} sessions actives",
  "admin.sessions.newest": "Les {n} sessions actives le plus récemment",
  "admin.sessions.none": "Aucune session active ne correspond.",
  "admin.sessions.location": "Lieu",
  "admin.sessions.unknown": "inconnu",
  "admin.sessions.end_all": "Fermer toutes les sessions du système",
  "admin.sessions.end_all_intro.one":
    "{n} session est active. Fermer toutes les sessions déconnecte tout le monde à la fois, vous aussi sauf si vous gardez la vôtre.",
  "admin.sessions.end_all_intro.other":
    "{n} sessions sont actives. Fermer toutes les sessions déconnecte tout le monde à la fois, vous aussi sauf si vous gardez la vôtre.",
  "admin.sessions.keep_own": "Garder ma propre session",
  "admin.sessions.end_all_confirm": "Fermer toutes les sessions",
  "admin.sessions.ended": "La session est fermée.",
  "admin.sessions.all_ended": "Toutes les autres sessions sont fermées.",
  "admin.sessions.gone": "Cette session n'existe pas ou est déjà fermée.",
  "admin.sessions.bad_filter": "Ce filtre est trop long ; toutes les sessions sont affichées.",

  // ---- admin: blocked addresses ----
  "admin.nav.blocks": "Adresses bloquées",
  "admin.blocks.title": "Adresses bloquées",
  "admin.blocks.intro":
    "{failures} échecs en {window} minutes depuis une adresse (IPv6 : un /64) la bloquent pendant {minutes} minutes ; chaque blocage répété dure deux fois plus longtemps, jusqu'à {max} minutes.",
  "admin.blocks.count.one": "{n} adresse est bloquée.",
  "admin.blocks.count.other": "{n} adresses sont bloquées.",
  "admin.blocks.none": "Aucune adresse n'est bloquée.",
  "admin.blocks.since": "Depuis",
  "admin.blocks.failures": "Échecs",
  "admin.blocks.last_username": "Dernier nom essayé",
  "admin.blocks.number": "Blocages",
  "admin.blocks.lift": "Débloquer",
  "admin.blocks.lifted": "Le blocage est levé.",
  "admin.blocks.gone": "Cette adresse n'est pas (plus) bloquée.",

  // ---- admin: permanent lockout ----
  "admin.user.locked_permanently":
    "Jusqu'à ce qu'un administrateur le débloque (trop de verrouillages)",

  // ---- login: the remember-me lifetime in force ----

  // ---- admin: session and lockout settings ----
  "admin.nav.settings": "Sessions et verrouillage",
  "admin.settings.title": "Réglages des sessions et du verrouillage",
  "admin.settings.intro":
    "Ces réglages s'appliquent aux nouvelles connexions et aux nouveaux échecs immédiatement, sans redémarrage ; les sessions déjà ouvertes gardent leur durée et leur délai d'inactivité. Laissez un champ vide pour sa valeur par défaut.",
  "admin.settings.group.sessions": "Sessions",
  "admin.settings.group.password": "Verrouillage par mot de passe",
  "admin.settings.group.second_factor": "Verrouillage du second facteur",
  "admin.settings.group.addresses": "Adresses bloquées",
  "admin.settings.sessionHours": "Durée d'une session (heures)",
  "admin.settings.rememberMeDays": "Durée avec « rester connecté » (jours)",
  "admin.settings.idleMinutes": "Délai d'inactivité (minutes)",
  "admin.settings.maxSessions": "Sessions par utilisateur au plus",
  "admin.settings.passwordMaxFailures": "Mots de passe erronés avant verrouillage",
  "admin.settings.passwordWindowMinutes": "Comptés sur (minutes)",
  "admin.settings.passwordLockMinutes": "Durée du verrouillage (minutes)",
  "admin.settings.permanentLockoutAfter":
    "Verrouillages avant déblocage par un administrateur (0 : jamais)",
  "admin.settings.secondFactorMaxFailures": "Codes erronés avant verrouillage",
  "admin.settings.secondFactorLockMinutes": "Durée du verrouillage du second facteur (minutes)",
  "admin.settings.ipMaxFailures": "Échecs depuis une adresse avant blocage",
  "admin.settings.ipWindowMinutes": "Échecs d'adresse comptés sur (minutes)",
  "admin.settings.ipBlockMinutes": "Durée du premier blocage (minutes)",
  "admin.settings.ipBlockMaxMinutes": "Blocage répété le plus long (minutes)",
  "admin.settings.hint": "De {min} à {max} ; par défaut {value} ({env}).",
  "admin.settings.save": "Enregistrer les réglages",
  "admin.settings.saved": "Les réglages sont enregistrés.",
  "admin.settings.invalid": "Certains réglages sont hors limites ; rien n'a été enregistré.",
  "admin.settings.range": "Entrez un nombre entier de {min} à {max}.",

  // ---- the error table (src/lib/errors.ts), shown on pages ----
  "error.validation_failed": "Certains champs sont manquants ou non valides.",
  "error.invalid_credentials": "Nom d'utilisateur ou mot de passe incorrect.",
  "error.invalid_code": "Ce code n'est pas valide. Essayez le code suivant de votre application.",
  "error.invalid_recovery_code": "Ce code de récupération n'est pas valide.",
  "error.invalid_pending_token":
    "Votre connexion a expiré ou a déjà été utilisée. Veuillez vous reconnecter.",
  "error.unauthorized": "Vous devez vous connecter.",
  "error.reauthentication_required":
    "Reconnectez-vous (mot de passe et code) pour modifier votre second facteur.",
  "error.forbidden": "Vous n'êtes pas autorisé à faire cela.",
  "error.csrf_failed": "Ce formulaire a expiré. Rechargez la page et réessayez.",
  "error.not_found": "Introuvable.",
  "error.last_authenticator":
    "C'est votre seule application d'authentification et votre organisation exige la connexion à deux facteurs. Ajoutez-en une autre ou remplacez-la.",
  "error.policy_requires_2fa":
    "Votre organisation exige la connexion à deux facteurs\u00a0: elle ne peut donc pas être désactivée.",
  "error.not_enrolled": "Configurez d'abord une application d'authentification.",
  "error.weak_password": "Choisissez un mot de passe plus robuste.",
  "error.invalid_reset_token":
    "Ce lien de réinitialisation n'est pas valide, a déjà servi ou a expiré. Demandez-en un nouveau.",
  "error.api_key_not_allowed":
    "Les clés d'API ne peuvent pas gérer les paramètres d'authentification. Connectez-vous en tant que personne.",
  "error.recovery_codes_disabled": "Les codes de récupération sont désactivés ici.",
  "error.enrollment_pass_required":
    "Votre second facteur a été réinitialisé. Saisissez le code d'activation que votre administrateur vous a remis.",
  "error.insufficient_scope": "Cette clé n'a pas la portée nécessaire.",
  "error.enrollment_expired":
    "Cette configuration a expiré. Recommencez pour obtenir une nouvelle clé.",
  "error.payload_too_large": "Ce que vous avez envoyé est trop volumineux.",
  "error.request_timeout": "Ce que vous avez envoyé a mis trop de temps à arriver. Renvoyez-le.",
  "error.too_many_attempts": "Trop de tentatives. Patientez un moment, puis réessayez.",
  "error.internal_error": "Une erreur s'est produite de notre côté.",

  // ---- English texts from routes and domain code (found by localize()) ----
  "msg.required": "Obligatoire.",
  "msg.enter_username": "Saisissez votre nom d'utilisateur.",
  "msg.enter_password": "Saisissez votre mot de passe.",
  "msg.enter_code": "Saisissez le code de votre application.",
  "msg.enter_recovery_code": "Saisissez un code de récupération.",
  "msg.enter_code_or_recovery":
    "Saisissez un code de votre application ou un code de récupération.",
  "msg.enter_current_password": "Saisissez votre mot de passe actuel.",
  "msg.enter_new_password": "Saisissez un nouveau mot de passe.",
  "msg.enter_username_or_email": "Saisissez votre nom d'utilisateur ou votre adresse e-mail.",
  "msg.enter_name": "Saisissez un nom.",
  "msg.name_token": "Donnez un nom au jeton.",
  "msg.password_changed.title": "Mot de passe modifié",
  "msg.password_changed.message":
    "Connectez-vous avec votre nouveau mot de passe. Un code de votre application d'authentification vous sera toujours demandé.",
  "msg.sign_in": "Se connecter",
  "msg.sign_in_again": "Se reconnecter",
  "msg.cannot_enroll": "Impossible de configurer une application d'authentification",
  "msg.notice.authenticator_added":
    "Votre nouvelle application d'authentification est prête. Vos autres sessions ont pris fin.",
  "msg.notice.authenticator_renamed": "Application d'authentification renommée.",
  "msg.notice.authenticator_removed":
    "Application d'authentification supprimée. Vos autres sessions ont pris fin.",
  "msg.notice.device_revoked": "Un code sera de nouveau demandé sur cet appareil.",
  "msg.notice.session_ended": "Session terminée.",
  "msg.notice.sessions_ended": "Toutes vos autres sessions ont pris fin.",
  "msg.notice.reauthenticated":
    "Merci. Pendant les cinq prochaines minutes, vous pouvez modifier votre second facteur.",
  "msg.notice.twofa_disabled":
    "La connexion à deux facteurs est désactivée. Vos autres sessions ont pris fin.",
  "msg.notice.password_changed":
    "Mot de passe modifié. Vos autres sessions et vos appareils de confiance ont pris fin.",
  "msg.notice.token_revoked": "Jeton révoqué.",
  "msg.admin.alert_acknowledged": "Alerte acquittée.",
  "msg.admin.policy_saved": "La politique 2FA est enregistrée.",
  "msg.admin.password_policy_saved": "La politique des mots de passe est enregistrée.",
  "msg.admin.user_created": "Utilisateur créé.",
  "msg.admin.required": "La 2FA est désormais exigée pour cet utilisateur.",
  "msg.admin.unrequired":
    "Un administrateur n'exige plus la 2FA pour cet utilisateur\u00a0; la politique s'applique toujours.",
  "msg.admin.twofa_disabled":
    "La 2FA est désactivée pour cet utilisateur et ses sessions ont pris fin.",
  "msg.admin.unlocked": "L'utilisateur est déverrouillé.",
  "msg.admin.sessions_ended": "Toutes les sessions de cet utilisateur ont pris fin.",
  "msg.admin.grace_extended": "Le délai de grâce est prolongé.",
  "msg.admin.disabled": "Le compte est désactivé et ses sessions ont pris fin.",
  "msg.admin.enabled": "Le compte est activé.",
  "msg.admin.updated": "Les rôles et les groupes sont enregistrés.",
  "msg.admin.device_revoked": "L'appareil de confiance est révoqué.",
  "msg.admin.no_alert": "Cette alerte n'existe pas ou a déjà été acquittée.",
  "msg.admin.bad_filter": "Ce filtre n'est pas valide\u00a0; tous les utilisateurs sont affichés.",
  "msg.admin.enter_username": "Saisissez un nom d'utilisateur.",
  "msg.admin.enter_initial_password": "Saisissez un mot de passe initial.",
  "msg.admin.enter_email": "Saisissez une adresse e-mail comme nom@example.com.",
  "msg.admin.username_pattern": "Utilisez de 1 à 64 lettres, chiffres ou . _ @ + -.",
  "msg.admin.username_taken": "Ce nom d'utilisateur est déjà pris.",
  "msg.admin.name_too_long": "Utilisez au plus 64\u00a0caractères par nom.",
  "msg.admin.too_many_names": "Indiquez au plus 50\u00a0noms.",
  "msg.admin.not_cidr": "«\u00a0{item}\u00a0» n'est pas une plage CIDR (comme 10.0.0.0/8).",
  "msg.admin.item_problem": "«\u00a0{item}\u00a0»\u00a0: {message}",
  "msg.admin.at_least": "Indiquez {n} ou plus.",
  "msg.admin.at_most": "Indiquez {n} ou moins.",
  "msg.admin.whole_number": "Saisissez un nombre entier.",
  "msg.admin.max_entries": "Indiquez au plus {n}\u00a0entrées.",
  "msg.admin.date_time": "Saisissez une date et une heure comme 2026-11-22T12:00.",
  "msg.admin.days": "Saisissez un nombre entier de jours entre 1 et 365.",
  "msg.max_characters": "Utilisez au plus {n}\u00a0caractères.",
  "msg.password.min_length": "Utilisez au moins {n}\u00a0caractères.",
  "msg.password.classes":
    "Mélangez au moins {n}\u00a0types de caractères\u00a0: minuscules, majuscules, chiffres, symboles.",
  "msg.password.username": "N'incluez pas votre nom d'utilisateur dans votre mot de passe.",
  "msg.password.common":
    "Ce mot de passe est trop courant. Choisissez-en un qui ne figure pas dans les listes de mots de passe divulgués.",

  // ---- single sign-on and access rules ----
  "access.denied.title": "Accès refusé",
  "access.denied.by_rule": "Une règle d'accès ne vous permet pas d'accéder à {host}.",
  "access.denied.by_default": "Aucune règle d'accès ne vous permet d'accéder à {host}.",
  "access.denied.no_second_factor":
    "{host} demande une validation en deux étapes, que cette connexion ne peut pas fournir.",
  "access.denied.signed_in_as": "Vous êtes connecté en tant que {user}.",
  "access.denied.add_factor": "Ajouter une application d'authentification à votre compte",
  "access.denied.switch_account": "Se déconnecter pour utiliser un autre compte",
  "sso.unknown_host.title": "Application inconnue",
  "sso.unknown_host.message":
    "twofold ne connecte pas à cette adresse. Demandez à votre administrateur d'ajouter son hôte aux applications protégées.",
  "sso.code_failed.title": "Lien de connexion expiré",
  "sso.code_failed.message":
    "Ce lien de connexion a déjà servi ou a expiré. Rouvrez l'application pour en obtenir un nouveau.",
  "sso.session_ended.message":
    "Votre session est terminée. Rouvrez l'application pour vous connecter.",
  "sso.back_to_app": "Retour à l'application",
  "sso.step_up.title": "Confirmez votre identité",
  "sso.step_up.intro": "{host} demande un code actuel de votre application d'authentification.",
  "sso.step_up.no_factor":
    "{host} demande une validation en deux étapes. Ajoutez d'abord une application d'authentification à votre compte.",
  "admin.nav.access": "Règles d'accès",
  "admin.access.title": "Règles d'accès",
  "admin.access.intro":
    "Qui peut atteindre quelle application derrière le forward-auth. La première règle qui correspond décide ; ce qu'aucune règle ne couvre reçoit l'action par défaut.",
  "admin.access.builtin":
    "Aucune règle n'a encore été enregistrée : toute personne connectée passe, les autres doivent se connecter.",
  "admin.access.current": "Règles en vigueur",
  "admin.access.col.n": "n°",
  "admin.access.col.match": "Requête",
  "admin.access.col.who": "Qui",
  "admin.access.col.action": "Action",
  "admin.access.anything": "tout",
  "admin.access.anyone": "tout le monde",
  "admin.access.default_row": "Par défaut (aucune correspondance)",
  "admin.access.step_up": "code de moins de {n} min",
  "admin.access.edit": "Modifier les règles",
  "admin.access.document": "Règles (JSON)",
  "admin.access.document_hint":
    "L'action par défaut et une liste de règles. Chaque règle peut avoir hosts, paths, methods, networks, users, groups et roles (absents : tout), une action (deny, bypass, one_factor, two_factor) et, avec two_factor, step_up_minutes.",
  "admin.access.save": "Enregistrer les règles",
  "admin.access.saved": "Les règles d'accès sont enregistrées et en vigueur.",
  "admin.access.invalid_json": "Ce n'est pas du JSON valide : {message}",
  "admin.access.tester.title": "Qui peut atteindre cette URL ?",
  "admin.access.tester.user": "Nom d'utilisateur",
  "admin.access.tester.user_hint":
    "Laissez vide pour une personne non connectée. Un utilisateur est supposé connecté avec un second facteur à l'instant.",
  "admin.access.tester.url": "URL",
  "admin.access.tester.method": "Méthode",
  "admin.access.tester.ip": "Adresse du client (facultatif)",
  "admin.access.tester.submit": "Tester",
  "admin.access.tester.result": "Résultat",
  "admin.access.tester.by_rule": "Décidé par la règle {n}.",
  "admin.access.tester.by_default": "Décidé par l'action par défaut.",
  "admin.access.tester.no_user": "Aucun utilisateur ne porte ce nom.",
  "admin.access.tester.bad_url": "Saisissez une URL complète comme https://app.example.com/chemin.",
  "admin.access.tester.bad_ip": "Saisissez une adresse IP comme 192.0.2.10, ou rien.",
  "admin.access.outcome.allow": "Autorisé",
  "admin.access.outcome.deny": "Refusé",
  "admin.access.outcome.login": "Doit d'abord se connecter",
  "admin.access.outcome.second_factor": "Doit d'abord fournir un second facteur",
  "admin.access.outcome.step_up": "Doit d'abord fournir un code récent",
  // ---- refresh tokens ----
  "error.invalid_refresh_token":
    "Ce jeton de renouvellement est invalide, déjà utilisé ou expiré. Reconnectez-vous.",
  // ---- password expiry and history ----
  "admin.policy.max_age_days": "Âge maximal d'un mot de passe (jours)",
  "admin.policy.max_age_days_hint":
    "0\u00a0= les mots de passe n'expirent jamais. Un mot de passe plus ancien doit être changé à la connexion suivante.",
  "admin.policy.history_count": "Anciens mots de passe refusés",
  "admin.policy.history_count_hint":
    "Un nouveau mot de passe ne peut être ni l'actuel ni l'un des derniers (0\u00a0= pas de règle).",
  "password.expired.title": "Choisissez un nouveau mot de passe",
  "password.expired.intro":
    "Votre mot de passe a expiré. Choisissez-en un nouveau pour terminer la connexion.",
  "password.expired.submit": "Changer le mot de passe et se connecter",
  "msg.unknown_field": "Champ inconnu.",
  "msg.password.reused": "Choisissez un mot de passe que vous n'avez pas utilisé récemment.",
  // ---- issue 14 partials ----
  "error.delegation_disabled": "La délégation est désactivée sur ce serveur.",
  "admin.nav.api_keys": "Clés d'API",
  "admin.keys.title": "Clés d'API",
  "admin.keys.intro":
    "Les clés permettent à des programmes d'appeler l'API au nom d'un utilisateur, sans second facteur. Chaque clé n'est affichée qu'une fois, à sa création\u00a0; seule une empreinte est conservée.",
  "admin.keys.col.created": "Créée",
  "admin.keys.none": "Aucune clé d'API active.",
  "admin.keys.new": "Nouvelle clé d'API",
  "admin.keys.days_hint": "De 1 à 3650. Laissez vide pour la durée par défaut.",
  "admin.keys.create": "Créer la clé",
  "admin.keys.created_title": "Nouvelle clé d'API",
  "admin.keys.created_intro":
    "La clé {name} pour {user}. Copiez-la maintenant\u00a0: elle ne sera plus affichée.",
  "admin.keys.back": "Retour aux clés d'API",
  "msg.admin.key_revoked": "La clé d'API est révoquée.",
  "msg.admin.key_username": "Saisissez le nom d'utilisateur du titulaire de la clé.",
  "msg.admin.key_name": "Nommez la clé.",
  "msg.admin.key_scope": "Choisissez au moins une portée.",
  "msg.admin.key_days": "Saisissez un nombre entier de jours de 1 à 3650.",
  "msg.admin.no_such_user": "Aucun utilisateur ne porte ce nom.",
  "error.enrollment_not_allowed":
    "Votre organisation ne propose pas la connexion à deux facteurs pour votre compte.",
  "admin.policy.field.exemptRoles": "Rôles exemptés",
  "admin.policy.hint.exemptRoles":
    "Séparés par des virgules. Comme les groupes exemptés\u00a0: leurs membres n'ont jamais besoin d'un second facteur\u00a0; les admins restent couverts tant que la case ci-dessus est cochée.",
  "admin.policy.may_enroll": "Qui peut utiliser la 2FA",
  "admin.policy.field.mayEnrollRoles": "Rôles autorisés à configurer la 2FA",
  "admin.policy.field.mayEnrollGroups": "Groupes autorisés à configurer la 2FA",
  "admin.policy.hint.mayEnrollRoles":
    "Séparés par des virgules. Laissez les deux vides pour que tout le monde puisse configurer la 2FA\u00a0; les personnes tenues d'utiliser la 2FA le peuvent toujours.",
  "admin.policy.hint.mayEnrollGroups": "Séparés par des virgules.",
  "tokens.expires_in_days": "Expire après (jours)",
  "tokens.expires_in_days_hint": "De 1 à 365. Laissez vide pour la durée par défaut.",
  // ---- delegation ----
  "delegation.start": "Agir en tant que {name}",
  "delegation.banner":
    "Vous agissez en tant que {user} (connecté comme {admin}). Vous ne pouvez pas changer son mot de passe, ses facteurs ni ses jetons.",
  "delegation.end": "Cesser d'agir pour cet utilisateur",
  "delegation.failed_title": "Impossible d'agir pour cet utilisateur",
  // ---- oidc ----
  "login.continue_title": "Connecté",
  "login.continue_text": "Retour à l’application…",
  "oidc.error.title": "Connexion impossible à cette application",
  "oidc.error.unknown_client":
    "L’application qui vous a envoyé ici n’est pas enregistrée dans twofold.",
  "oidc.error.redirect_uri":
    "L’application qui vous a envoyé ici demande à revenir à une adresse qu’elle n’a pas enregistrée.",
  "oidc.error.not_configured":
    "Ce twofold ne sert pas de fournisseur de connexion aux applications.",
  "oidc.error.hint": "Prévenez l’administrateur de l’application ; rien ne lui a été envoyé.",
  "oidc.logout.question": "Une application demande à vous déconnecter de twofold. Se déconnecter ?",
  "oidc.logout.done_title": "Déconnecté",
  "oidc.logout.done":
    "Vous êtes déconnecté de twofold et des applications auxquelles vous vous êtes connecté avec lui.",
  "oidc.apps.title": "Applications auxquelles vous êtes connecté",
  "oidc.apps.intro":
    "Ces applications utilisent twofold pour vous connecter. Déconnecter une application met fin à son accès aussitôt ; elle vous demandera de vous reconnecter.",
  "oidc.apps.none": "Vous n’êtes connecté à aucune application avec twofold.",
  "oidc.apps.col.app": "Application",
  "oidc.apps.col.first": "Connexion",
  "oidc.apps.col.last": "Dernière utilisation",
  "oidc.apps.col.action": "Action",
  "oidc.apps.revoke": "Se déconnecter de cette application",
  "oidc.apps.revoked": "L’application est déconnectée.",
  "oidc.apps.link": "Applications auxquelles vous êtes connecté avec twofold",
  "admin.nav.apps": "Applications (OpenID Connect)",
  "oidc.console.title": "Applications qui se connectent avec twofold",
  "oidc.console.discovery": "URL de découverte pour les applications :",
  "oidc.console.no_issuer":
    "Définissez PUBLIC_URL pour activer le fournisseur OpenID Connect : c’est l’émetteur.",
  "oidc.console.created": "Application enregistrée",
  "oidc.console.copy_secret": "Copier le secret",
  "oidc.console.secret_once":
    "Copiez le secret maintenant dans les réglages de l’application : il n’est affiché que cette fois.",
  "oidc.console.public_note":
    "Une application publique n’a pas de secret ; elle doit utiliser PKCE.",
  "oidc.console.list": "Applications enregistrées",
  "oidc.console.none": "Aucune application n’est encore enregistrée.",
  "oidc.console.col.name": "Nom",
  "oidc.console.col.client_id": "Identifiant client",
  "oidc.console.col.type": "Type",
  "oidc.console.col.redirect_uris": "URI de redirection",
  "oidc.console.col.alg": "Signature",
  "oidc.console.public": "publique (PKCE)",
  "oidc.console.confidential": "confidentielle",
  "oidc.console.delete": "Supprimer {name}",
  "oidc.console.new": "Enregistrer une application",
  "oidc.console.name": "Nom",
  "oidc.console.redirect_uris": "URI de redirection",
  "oidc.console.post_logout": "Adresses après la déconnexion (facultatif)",
  "oidc.console.uris_hint": "Une par ligne, exactement comme l’application les envoie.",
  "oidc.console.public_check":
    "Application publique (dans le navigateur ou sur un appareil : pas de secret, PKCE obligatoire)",
  "oidc.console.rs256_check":
    "Signer ses jetons en RS256 (pour les applications qui n’acceptent rien d’autre)",
  "oidc.console.submit": "Enregistrer l’application",
  "oidc.console.bad_uri": "pas une URL http(s) absolue sans fragment",
  "oidc.console.bad_field": "Remplissez ce champ (100 caractères au plus ; 10 adresses au plus).",
  "oidc.console.fix": "Corrigez les champs signalés.",
  "oidc.console.no_rsa":
    "RS256 demande une clé RSA dans SIGNING_KEYS (deno task cli keys:generate en crée une).",
  "msg.oidc.client_deleted": "L’application est supprimée ; ses jetons ne fonctionnent plus.",
  // ---- mail: reset links, security notifications, "this was not me" ----
  "mail.greeting": "Bonjour {name},",
  "mail.fact.account": "Compte",
  "mail.fact.when": "Quand",
  "mail.fact.address": "Adresse",
  "mail.fact.device": "Appareil",
  "mail.unknown": "inconnu",
  "mail.if_you": "Si c’était vous, il n’y a rien à faire.",
  "mail.not_me.intro":
    "Si ce n’était pas vous, ouvrez le lien ci-dessous. Il déconnecte votre compte partout, oublie tous les appareils de confiance, verrouille le compte jusqu’à ce qu’un administrateur l’ait vérifié et alerte les administrateurs.",
  "mail.not_me.link": "Ce n’était pas moi",
  "mail.not_me.expires": "Le lien ne fonctionne qu’une fois, jusqu’au {date}.",
  "mail.footer":
    "{issuer} vous envoie ce message à la suite d’une modification de votre compte. Il ne contient jamais de mot de passe ni de code.",
  "mail.reset.subject": "{issuer} : réinitialisez votre mot de passe",
  "mail.reset.body":
    "Quelqu’un a demandé la réinitialisation du mot de passe de votre compte. Pour choisir un nouveau mot de passe, ouvrez ce lien :",
  "mail.reset.expires":
    "Le lien ne fonctionne qu’une fois, jusqu’au {date}. Votre second facteur sera toujours demandé à la prochaine connexion.",
  "mail.reset.ignore":
    "Si vous n’avez rien demandé, ignorez ce message : votre mot de passe reste inchangé.",
  "mail.password_changed.subject": "{issuer} : votre mot de passe a été modifié",
  "mail.password_changed.body":
    "Le mot de passe de votre compte a été modifié. Vos autres sessions et appareils de confiance ont été déconnectés.",
  "mail.password_reset.subject": "{issuer} : votre mot de passe a été réinitialisé",
  "mail.password_reset.body":
    "Le mot de passe de votre compte a été réinitialisé avec un lien de réinitialisation. Toutes les sessions et tous les appareils de confiance ont été déconnectés.",
  "mail.factor_added.subject": "{issuer} : un authentificateur a été ajouté",
  "mail.factor_added.body": "L’authentificateur « {label} » a été ajouté à votre compte.",
  "mail.factor_replaced.subject": "{issuer} : votre authentificateur a été remplacé",
  "mail.factor_replaced.body":
    "Un authentificateur de votre compte a été remplacé par « {label} » ; l’ancien ne fonctionne plus.",
  "mail.factor_removed.subject": "{issuer} : un authentificateur a été supprimé",
  "mail.factor_removed.body": "L’authentificateur « {label} » a été supprimé de votre compte.",
  "mail.security_key_added.subject": "{issuer} : une clé de sécurité ou passkey a été ajoutée",
  "mail.security_key_added.body":
    "La clé de sécurité ou passkey « {label} » a été ajoutée à votre compte.",
  "mail.security_key_removed.subject": "{issuer} : une clé de sécurité ou passkey a été supprimée",
  "mail.security_key_removed.body":
    "La clé de sécurité ou passkey « {label} » a été supprimée de votre compte.",
  "mail.security_key_removed_by_admin.subject":
    "{issuer} : un administrateur a supprimé une clé de sécurité ou passkey",
  "mail.security_key_removed_by_admin.body":
    "Un administrateur a supprimé la clé de sécurité ou passkey « {label} » de votre compte.",
  "mail.recovery_regenerated.subject": "{issuer} : nouveaux codes de récupération",
  "mail.recovery_regenerated.body":
    "De nouveaux codes de récupération ont été créés pour votre compte ; les anciens ne fonctionnent plus.",
  "mail.recovery_used.subject": "{issuer} : un code de récupération a été utilisé",
  "mail.recovery_used.body":
    "Un code de récupération a servi à se connecter à votre compte. Codes de récupération restants : {remaining}.",
  "mail.twofa_reset.subject": "{issuer} : votre validation en deux étapes a été réinitialisée",
  "mail.twofa_reset.body":
    "Un administrateur a réinitialisé la validation en deux étapes de votre compte : ses authentificateurs et codes de récupération ont été supprimés.",
  "mail.twofa_disabled.subject": "{issuer} : la validation en deux étapes a été désactivée",
  "mail.twofa_disabled.body":
    "Un administrateur a désactivé la validation en deux étapes de votre compte : ses authentificateurs et codes de récupération ont été supprimés.",
  "mail.twofa_turned_off.subject": "{issuer} : la validation en deux étapes a été désactivée",
  "mail.twofa_turned_off.body":
    "La validation en deux étapes de votre compte a été désactivée depuis l’une de ses sessions : ses authentificateurs et codes de récupération ont été supprimés.",
  "mail.new_sign_in.subject": "{issuer} : connexion depuis un nouvel appareil",
  "mail.new_sign_in.body":
    "Quelqu’un s’est connecté à votre compte depuis un appareil ou une adresse jamais vus pour ce compte.",
  "mail.account_locked.subject": "{issuer} : votre compte a été verrouillé",
  "mail.account_locked.body":
    "Votre compte est verrouillé jusqu’au {until} après trop de mots de passe erronés. Quelqu’un essaie peut-être de deviner votre mot de passe.",
  "admin.alerts.reported":
    "{username} a signalé une modification de son compte comme n’étant pas de son fait : le compte est verrouillé (désactivé) jusqu’à ce qu’un administrateur le réactive",
  "admin.users.no_email": "aucune",
  "admin.user.no_email":
    "Aucune : ni lien de réinitialisation ni e-mail de sécurité ne peut atteindre cet utilisateur",
  "notme.title": "Protéger votre compte",
  "notme.intro":
    "Vous signalez qu’une modification de votre compte n’a pas été faite par vous. Confirmez, et :",
  "notme.step.sessions":
    "toutes les sessions du compte sont déconnectées et tous les appareils de confiance oubliés ;",
  "notme.step.lock":
    "le compte est verrouillé : personne ne peut s’y connecter, même avec le bon mot de passe et le bon code ;",
  "notme.step.alert": "les administrateurs sont alertés.",
  "notme.confirm": "Verrouiller mon compte",
  "notme.invalid":
    "Ce lien n’est pas valide : il a déjà servi ou il a expiré. Si vous pensez toujours que quelqu’un d’autre utilise votre compte, contactez votre administrateur.",
  "notme.done.title": "Votre compte est verrouillé",
  "notme.done.body":
    "Toutes les sessions ont été déconnectées et tous les appareils de confiance oubliés. Personne ne peut plus se connecter au compte.",
  "notme.done.next":
    "La suite : un administrateur vérifie le compte et vous contacte. Une fois le compte déverrouillé, réinitialisez votre mot de passe et configurez de nouveau votre authentificateur ; d’ici là, vous n’avez rien d’autre à faire.",
  // ---- webauthn ----
  "msg.notice.security_key_removed_admin":
    "Clé de sécurité supprimée. Ses connexions en cours ont été interrompues.",
  "admin.policy.webauthn.second_factor":
    "Les clés de sécurité et clés d'accès peuvent remplacer le code après le mot de passe",
  "admin.policy.webauthn.passkey":
    "Une clé d'accès seule permet de se connecter (avec vérification de l'utilisateur)",
  "admin.policy.webauthn.fallback": "Les utilisateurs avec des clés doivent aussi garder",
  "admin.policy.webauthn.fallback.none": "rien de plus",
  "admin.policy.webauthn.fallback.totp": "une application d'authentification",
  "admin.policy.webauthn.fallback.totp_or_recovery":
    "une application d'authentification ou des codes de récupération",
  "admin.policy.field.webauthn": "Clés de sécurité et clés d'accès",
  "webauthn.keys": "Clés de sécurité et clés d'accès",
  "webauthn.no_keys": "Aucune clé de sécurité ni clé d'accès pour l'instant.",
  "webauthn.passkey": "clé d'accès",
  "webauthn.add": "Ajouter une clé de sécurité ou une clé d'accès",
  "webauthn.needs_script":
    "Les clés de sécurité et les clés d'accès nécessitent JavaScript dans ce navigateur.",
  "webauthn.failed":
    "Le navigateur n'a pas créé ou utilisé de clé. Réessayez, ou utilisez un autre moyen.",
  "webauthn.new.title": "Ajouter une clé de sécurité ou une clé d'accès",
  "webauthn.new.intro":
    "Donnez-lui un nom que vous reconnaîtrez, puis suivez votre navigateur : touchez la clé, ou confirmez sur votre appareil.",
  "webauthn.new.submit": "Ajouter la clé",
  "webauthn.name": "Nom",
  "webauthn.name_hint": "Par exemple : clé bleue, portable du travail.",
  "webauthn.login.heading": "Ou utilisez une clé de sécurité",
  "webauthn.login.use": "Utiliser votre clé de sécurité",
  "webauthn.passkey.heading": "Ou connectez-vous avec une clé d'accès",
  "webauthn.passkey.use": "Se connecter avec une clé d'accès",
  "account.method.pop": "clé de sécurité",
  "account.method.mfa": "clé d'accès",
  "error.invalid_security_key":
    "Cette clé de sécurité ou clé d'accès n'a pas été acceptée. Réessayez, ou utilisez un code.",
  "error.security_keys_disabled":
    "Les clés de sécurité ne sont pas acceptées comme second facteur ici.",
  "error.passkey_sign_in_disabled": "La connexion avec une clé d'accès seule est désactivée.",
  "error.fallback_required":
    "Votre organisation vous demande de garder une application d'authentification (ou des codes de récupération) en plus de vos clés de sécurité.",
  "msg.notice.security_key_added":
    "Votre clé de sécurité est prête. Vos autres sessions ont été fermées.",
  "msg.notice.security_key_renamed": "Clé de sécurité renommée.",
  "msg.notice.security_key_removed":
    "Clé de sécurité supprimée. Vos autres sessions ont été fermées.",
  // ---- setup (first run) ----
  "setup.title": "Configurer {issuer}",
  "setup.intro":
    "Aucun administrateur n’existe encore. Choisissez le nom d’utilisateur et le mot de passe du premier ; vous ajouterez ensuite une application d’authentification, car les administrateurs se connectent toujours avec un code.",
  "setup.username": "Nom d’utilisateur de l’administrateur",
  "setup.password": "Mot de passe de l’administrateur",
  "setup.password_hint": "Au moins 12 caractères ; quelques mots peu courants conviennent bien.",
  "setup.next": "Ensuite : scannez un code QR avec votre application d’authentification.",
  "setup.submit": "Créer l’administrateur",
  "msg.setup_done_title": "La configuration est faite",
  "msg.setup_done": "Un administrateur existe : ce lien de configuration ne fonctionne plus.",
  "msg.setup_invalid_title": "Lien de configuration non valide",
  "msg.setup_invalid":
    "Ce lien de configuration n’est pas valide ou a expiré. Redémarrez le service pour en obtenir un nouveau.",
};
