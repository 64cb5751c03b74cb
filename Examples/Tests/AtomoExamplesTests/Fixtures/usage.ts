// Uses the generated SDK the way an app would; type-checked with the generated files.
import { AtomoClient, AtomoRequestError, useContacts, useUpdateContact, useCreateContact } from './generated';
import type { Contact, ContactWhere, Block } from './generated';

const client = new AtomoClient({ url: 'http://127.0.0.1:8080/graphql', token: () => 'token' });

export function example(): void {
  const where: ContactWhere = { name: { contains: 'Ada' }, or: [{ email: { isNull: true } }], company: { name: { eq: 'Acme' } } };
  const contacts = useContacts(client, { where, orderBy: [{ name: 'ASC' }], first: 20 });
  const companyName: string | null | undefined = contacts.data?.nodes[0]?.company?.name;
  void companyName;
  const first: Contact | undefined = contacts.data?.nodes[0];
  const notes: Block[] = first?.notes ?? [];
  for (const note of notes) {
    if (note.__typename === 'CallLog') {
      const summary: string = note.summary;
      void summary;
    } else {
      const text: string = note.text;
      void text;
    }
  }
  const update = useUpdateContact(client);
  update.mutate({ id: 'c1', input: { name: 'Ada Lovelace' }, expectedVersion: 0 });
  const create = useCreateContact(client);
  create.mutate({ name: 'Grace', company: 'company-id', notes: [{ paragraph: { text: 'Met at the fair' } }, { callLog: { at: '2026-11-29T10:00:00Z', summary: 'Intro' } }] });
  const error = new AtomoRequestError([{ message: 'stale', extensions: { code: 'CONFLICT' } }], 200);
  const code: string | undefined = error.code;
  void code;
}
