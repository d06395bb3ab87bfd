/** The flags of `customers create` and `customers update`. */
import { list, text } from '../spec.js';

export const customerOptions = {
  email: text('--email <email>', 'e-mail address'),
  phone: text('--phone <phone>', "phone number as typed (+55 (11) 99999-9999); the profile's defaultCountry when it has no country code"),
  tag: list('--tag <tag>', 'a tag (repeat for several)'),
  field: list('--field <key=value>', 'a custom field (repeat for several)'),
};
