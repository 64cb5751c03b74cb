// Uses the generated SDK the way an app would; type-checked with the generated files.
import { AtomoClient, AtomoRequestError, useContacts, useUpdateContact, useCreateContact } from './generated';
import type { Contact, ContactFilter, Block } from './generated';

const client = new AtomoClient({ url: 'http://127.0.0.1:8080/graphql', token: () => 'token' });

export function example(): void {
  const filter: ContactFilter = { name: { contains: 'Ada' }, or: [{ email: { isNull: true } }] };
  const contacts = useContacts(client, { filter, first: 20 });
  const first: Contact | undefined = contacts.data?.nodes[0];
  const notes: Block[] = first?.notes ?? [];
  for (const note of notes) {
    if (note.type === 'CallLog') {
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
  create.mutate({ name: 'Grace', notes: [{ type: 'Paragraph', text: 'Met at the fair' }] });
  const error = new AtomoRequestError([{ message: 'stale', extensions: { code: 'CONFLICT' } }], 200);
  const code: string | undefined = error.code;
  void code;
}
