'use strict';
/**
 * The messages the platform posts itself on a state change (upstream
 * `MailTemplatePresenterService.create_commentaire_for_state`, called from the `after_*` callbacks
 * of `dossier_state_concern.rb` @449610574b), even with `disableNotification`: from CONTACT_EMAIL,
 * body `<p>[<subject>]</p><template body>` with the démarche's default templates
 * (`app/views/notification_mailer/default_templates/*.html.haml`, `config/locales/fr.yml`,
 * `config/locales/models/mail/<mail>/fr.yml`).
 *
 * Which transitions post one: the deposit (initiated_mail), passer en instruction (received_mail),
 * accepter (closed_mail), refuser (refused_mail), classer sans suite (without_continuation_mail),
 * repasser en instruction (re_instructed_mail); not repasser en construction, not a correction
 * request. On a declarative démarche (PR #13734, newer servers) the deposit posts nothing and the
 * automatic transition posts one message made from the deposit template.
 *
 * The messages are derived from the dossier's traitements, so seeded dossiers have them too.
 */
const { globalId } = require('./util');

const CONTACT_EMAIL = 'contact@demarche.numerique.gouv.fr';

/** System message IDs: `Commentaire-<1e9 + dossier number × 100 + traitement index>`. */
const SYSTEM_ID_BASE = 1_000_000_000;

const PARIS_DAY = new Intl.DateTimeFormat('fr-FR', {
	timeZone: 'Europe/Paris',
	day: '2-digit',
	month: '2-digit',
	year: 'numeric',
});

const escape = (text) =>
	String(text ?? '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;');

/** Subject and body of each template, filled with the dossier's tags. */
const TEMPLATES = {
	initiated: {
		subject: (t) => `Votre dossier n° ${t.number} a bien été déposé (${t.libelle})`,
		body: (t) =>
			`<p>Bonjour,</p><p>Votre dossier n° ${t.number} <strong>a bien été déposé</strong>. Si besoin est, vous pouvez encore y apporter des modifications.</p>`,
	},
	received: {
		subject: (t) => `Votre dossier n° ${t.number} va être examiné (${t.libelle})`,
		body: (t) =>
			`<p>Bonjour,</p><p>Votre dossier n° ${t.number} a bien été reçu et <strong>pris en charge</strong>. Il va maintenant être examiné par le service.</p>`,
	},
	closed: {
		subject: (t) => `Votre dossier n° ${t.number} a été accepté (${t.libelle})`,
		body: (t) =>
			`<p>Bonjour,</p><p>Votre dossier n° ${t.number} <strong>a été accepté le ${t.date}</strong></p><p>À tout moment, vous pouvez consulter votre dossier et les éventuels messages de l’administration à cette adresse : ${t.link}</p>`,
	},
	refused: {
		subject: (t) => `Votre dossier n° ${t.number} a été refusé (${t.libelle})`,
		body: (t) =>
			`<p>Bonjour,</p><p>Votre dossier n° ${t.number} <strong>a été refusé le ${t.date}</strong></p><p>Le motif de refus est le suivant :</p><blockquote>${t.motivation}</blockquote><p>Pour en savoir plus sur le motif du refus, vous pouvez consulter votre dossier et les éventuels messages de l’administration à cette adresse : ${t.link}</p>`,
	},
	withoutContinuation: {
		subject: (t) => `Votre dossier n° ${t.number} a été classé sans suite (${t.libelle})`,
		body: (t) =>
			`<p>Bonjour,</p><p>Votre dossier n° ${t.number} <strong>a été classé sans suite le ${t.date}</strong></p><p>Le motif est le suivant :</p><blockquote>${t.motivation}</blockquote><p>Pour en savoir plus sur les raisons de ce classement sans suite, vous pouvez consulter votre dossier et les éventuels messages de l’administration à cette adresse : ${t.link}</p>`,
	},
	reInstructed: {
		subject: (t) => `Votre dossier n° ${t.number} est en train d’être réexaminé (${t.libelle})`,
		body: (t) =>
			`<p>Bonjour,</p><p>Votre dossier n° ${t.number} va être réexaminé, la précédente décision sur ce dossier est caduque. Vous pouvez retrouver le dossier que vous avez créé pour la démarche ${t.libelle} à l’adresse suivante : ${t.link} Pour obtenir le détail de cette modification de la décision, vous pouvez contacter le service : ${t.service}.</p>`,
	},
};

/** The template of a traitement, or null when that transition posts nothing. */
const TEMPLATE_OF_EVENT = {
	depose: 'initiated',
	passe_en_instruction: 'received',
	accepte: 'closed',
	refuse: 'refused',
	classe_sans_suite: 'withoutContinuation',
	repasse_en_instruction: 'reInstructed',
};

/** `truncate(subject, length: 100)`. */
const truncate = (text) => (text.length > 100 ? `${text.slice(0, 97)}...` : text);

/**
 * The system messages of a dossier, one per traitement that posts one.
 * @param {object} record the dossier header (traitements, number)
 * @param {object} demarche {title, service}
 * @param {string} siteUrl the instance's public URL
 */
function systemMessages(record, demarche, siteUrl) {
	const messages = [];
	const traitements = record.traitements || [];
	traitements.forEach((traitement, index) => {
		let template = TEMPLATE_OF_EVENT[traitement.event];
		if (!template) return;
		const next = traitements[index + 1];
		// PR #13734: one combined message, from the deposit template, at the automatic transition.
		if (template === 'initiated' && next && next.combinedDeclarative) return;
		if (traitement.combinedDeclarative) template = 'initiated';
		const tags = {
			number: record.number,
			libelle: escape(demarche.title),
			service: escape(demarche.service && demarche.service.nom),
			date: PARIS_DAY.format(new Date(traitement.at)),
			motivation: escape(traitement.motivation || ''),
			link: `<a href="${siteUrl}/dossiers/${record.number}" target="_blank" rel="noopener">${siteUrl}/dossiers/${record.number}</a>`,
		};
		const { subject, body } = TEMPLATES[template];
		messages.push({
			id: globalId('Commentaire', SYSTEM_ID_BASE + record.number * 100 + index),
			body: `<p>[${truncate(subject(tags))}]</p>${body(tags)}<p>Cordialement,<br>${tags.service}</p>`,
			email: CONTACT_EMAIL,
			createdAt: traitement.at,
			attachments: [],
			correction: null,
			discardedAt: null,
			system: true,
		});
	});
	return messages;
}

/** The dossier number of a system message ID's number, or null. */
function systemMessageDossier(n) {
	return n >= SYSTEM_ID_BASE ? Math.floor((n - SYSTEM_ID_BASE) / 100) : null;
}

module.exports = { systemMessages, systemMessageDossier, CONTACT_EMAIL };
