// Written by src/build/build.mjs (`npm run build`) from the files under src/commands: do not edit.
// A noun is a directory; its commands are the files there that call defineCommand (a one-file
// command's run() is loaded from its own module); its group.ts is its help and verb order.
// test/unit/registry.test.ts fails when this file is stale.
import { withRun, withVerbs } from './spec.js';
import bulk from './bulk/bulk.js';
import chatsCreate from './chats/create.js';
import chatsGet from './chats/get.js';
import chatsList from './chats/list.js';
import chatsMessages from './chats/messages.js';
import chatsGroup from './chats/group.js';
import completion from './completion/completion.js';
import compose from './compose/compose.js';
import configTrust from './config/trust.js';
import configUntrust from './config/untrust.js';
import configGroup from './config/group.js';
import customersCreate from './customers/create.js';
import customersDelete from './customers/delete.js';
import customersGet from './customers/get.js';
import customersList from './customers/list.js';
import customersUpdate from './customers/update.js';
import customersGroup from './customers/group.js';
import init from './init/init.js';
import messagesGet from './messages/get.js';
import messagesList from './messages/list.js';
import messagesGroup from './messages/group.js';
import profilesList from './profiles/list.js';
import profilesShow from './profiles/show.js';
import profilesGroup from './profiles/group.js';
import report from './report/report.js';
import sandbox from './sandbox/sandbox.js';
import sendContact from './send/contact.js';
import sendInteractive from './send/interactive.js';
import sendLocation from './send/location.js';
import sendMedia from './send/media.js';
import sendTemplate from './send/template.js';
import sendText from './send/text.js';
import sendGroup from './send/group.js';
import templatesImport from './templates/import.js';
import templatesLint from './templates/lint.js';
import templatesList from './templates/list.js';
import templatesShow from './templates/show.js';
import templatesGroup from './templates/group.js';
import webhooksCreate from './webhooks/create.js';
import webhooksDelete from './webhooks/delete.js';
import webhooksList from './webhooks/list.js';
import webhooksListen from './webhooks/listen.js';
import webhooksGroup from './webhooks/group.js';

/** Every group and single command, by directory. */
export const entries = [
  bulk,
  withVerbs(chatsGroup, [chatsCreate, chatsGet, chatsList, chatsMessages]),
  completion,
  compose,
  withVerbs(configGroup, [configTrust, configUntrust]),
  withVerbs(customersGroup, [customersCreate, customersDelete, withRun(customersGet, () => import('./customers/get.js').then((m) => m.run)), customersList, customersUpdate]),
  init,
  withVerbs(messagesGroup, [withRun(messagesGet, () => import('./messages/get.js').then((m) => m.run)), messagesList]),
  withVerbs(profilesGroup, [profilesList, profilesShow]),
  report,
  sandbox,
  withVerbs(sendGroup, [sendContact, sendInteractive, sendLocation, sendMedia, sendTemplate, sendText]),
  withVerbs(templatesGroup, [templatesImport, templatesLint, templatesList, templatesShow]),
  withVerbs(webhooksGroup, [webhooksCreate, webhooksDelete, webhooksList, webhooksListen]),
] as const;
