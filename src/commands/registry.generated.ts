// Written by src/build/build.mjs (`npm run build`) from the files under src/commands: do not edit.
// A noun is a directory; its commands are the files there that call defineCommand (a one-file
// command's run() is loaded from its own module); its group.ts is its help and verb order.
// test/unit/registry.test.ts fails when this file is stale.
import { withRun, withVerbs } from './spec.js';
import sendText from './send/text.js';
import sendMedia from './send/media.js';
import sendLocation from './send/location.js';
import sendContact from './send/contact.js';
import sendTemplate from './send/template.js';
import sendInteractive from './send/interactive.js';
import sendGroup from './send/group.js';
import compose from './compose/compose.js';
import bulk from './bulk/bulk.js';
import templatesList from './templates/list.js';
import templatesShow from './templates/show.js';
import templatesLint from './templates/lint.js';
import templatesImport from './templates/import.js';
import templatesGroup from './templates/group.js';
import webhooksListen from './webhooks/listen.js';
import webhooksList from './webhooks/list.js';
import webhooksCreate from './webhooks/create.js';
import webhooksDelete from './webhooks/delete.js';
import webhooksGroup from './webhooks/group.js';
import messagesList from './messages/list.js';
import messagesGet from './messages/get.js';
import messagesGroup from './messages/group.js';
import report from './report/report.js';
import customersList from './customers/list.js';
import customersGet from './customers/get.js';
import customersCreate from './customers/create.js';
import customersUpdate from './customers/update.js';
import customersDelete from './customers/delete.js';
import customersGroup from './customers/group.js';
import chatsList from './chats/list.js';
import chatsGet from './chats/get.js';
import chatsMessages from './chats/messages.js';
import chatsCreate from './chats/create.js';
import chatsGroup from './chats/group.js';
import init from './init/init.js';
import profilesList from './profiles/list.js';
import profilesShow from './profiles/show.js';
import profilesGroup from './profiles/group.js';
import configTrust from './config/trust.js';
import configUntrust from './config/untrust.js';
import configGroup from './config/group.js';
import sandbox from './sandbox/sandbox.js';
import completion from './completion/completion.js';

/** Every group and single command, by directory. */
export const entries = [
  withVerbs(sendGroup, [sendText, sendMedia, sendLocation, sendContact, sendTemplate, sendInteractive]),
  compose,
  bulk,
  withVerbs(templatesGroup, [templatesList, templatesShow, templatesLint, templatesImport]),
  withVerbs(webhooksGroup, [webhooksListen, webhooksList, webhooksCreate, webhooksDelete]),
  withVerbs(messagesGroup, [messagesList, withRun(messagesGet, () => import('./messages/get.js').then((m) => m.run))]),
  report,
  withVerbs(customersGroup, [customersList, withRun(customersGet, () => import('./customers/get.js').then((m) => m.run)), customersCreate, customersUpdate, customersDelete]),
  withVerbs(chatsGroup, [chatsList, chatsGet, chatsMessages, chatsCreate]),
  init,
  withVerbs(profilesGroup, [profilesList, profilesShow]),
  withVerbs(configGroup, [configTrust, configUntrust]),
  sandbox,
  completion,
] as const;
