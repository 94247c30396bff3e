'use strict';
// message-with-attachment.json builds a text file with n8n's own nodes and sends it as a message
// attachment (direct upload, then dossierEnvoyerMessage). The platform's copy of the message, read
// directly with the admin token, must carry the file with the MD5 of the text n8n produced.

const crypto = require('node:crypto');
const { platformQuery } = require('../lib/checks');

const MESSAGES = `query Messages($number: Int!) {
	dossier(number: $number) { messages { body attachments { filename checksum contentType } } }
}`;

module.exports = async ({ assert, output, platform }) => {
	const [picked] = output('Pick dossier');
	assert.ok(picked && picked.number, 'a dossier en construction was picked');
	const [note] = output('Note');
	const sent = output('Send message');
	assert.equal(sent.length, 1, 'Send message: one item');

	const { dossier } = await platformQuery(platform, MESSAGES, { number: picked.number });
	const message = dossier.messages.find((m) =>
		m.body.includes(`récapitulatif de votre dossier ${picked.number}`),
	);
	assert.ok(message, `the platform has the message on dossier ${picked.number}`);
	assert.equal(message.attachments.length, 1, 'the message has one attachment');
	const [file] = message.attachments;
	assert.equal(file.filename, 'recapitulatif.txt', 'attachment file name');
	const md5 = crypto.createHash('md5').update(Buffer.from(note.text, 'utf8')).digest('base64');
	assert.equal(file.checksum, md5, 'the uploaded bytes are the text n8n produced');
};
