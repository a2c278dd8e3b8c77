/* voice/sentences.h: small pieces of the sentences an agent says: when and with whom, and how long a sentence is. */
#ifndef FD_VOICE_SENTENCES_H
#define FD_VOICE_SENTENCES_H

#include <json.h>
#include <stdbool.h>
#include <stddef.h>

/** Writes "<spoken> with <practitioner>" (or just spoken) of an appointment or slot object into buf. */
void vc_say_when(json_object *appointment, char *buf, size_t cap);

/** Writes what a caller hears once /voice/book succeeded: "You're booked for <when>." or, for a booking request
 * to a clinic whose system cannot be written (requested true), "I've requested <when>; the clinic will text you to
 * confirm." */
void vc_say_booked(json_object *appointment, bool requested, char *buf, size_t cap);

/** Number of words of a sentence (runs of non-spaces). */
size_t vc_words(const char *s);

#endif
