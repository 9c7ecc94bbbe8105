// Sessionkit works with Flask session cookies: it makes secret keys, shows
// what a cookie holds, verifies and signs cookies exactly as Flask does,
// looks for weak or published keys, checks a learner's Desafio app, and
// serves the lesson's demo site. It reads and writes sessionkit's SK1
// sealed (encrypted) cookies too, with the same keys: decode shows what a
// token's header tells without a key, verify opens it, sign -sealed makes
// one, audit names the key that sealed it.
//
// Usage:
//
//	sessionkit <command> [arguments]
//
// The commands are:
//
//	secret   generate a random secret key
//	decode   show a cookie's contents without a key (UNVERIFIED)
//	verify   check a cookie's signature (or open a sealed one) and print its session
//	sign     make a cookie that Flask accepts, signed or sealed
//	audit    look for weak keys, or for cookies signed with a published key
//	desafio  check a learner's Desafio app, as a browser would
//	demo     serve the lesson's examples in a browser
//	version  print the version
//	help     show help for a command
//
// Every command reads a cookie either from its argument or, when the
// argument is "-" or absent, from standard input, in any form people paste
// cookies in: the bare value, session=VALUE, a "Cookie: ..." header, a
// "Set-Cookie: ..." line, a row of the browser's cookie table, a "Copy as
// cURL" command; quoted or wrapped over lines. -name picks the cookie
// (default "session"). Sizes are the cookie's name plus its value, as the
// browser's cookie table and the demo count them.
//
// Keys are given with -key-file FILE, -key-env NAME or -key KEY. The last
// works but warns, because a key on the command line is visible in the
// process list and in shell history. Keys are never printed, except by
// "audit -show-key".
//
// Exit status, the same for every command:
//
//	0  success: the cookie is valid, nothing weak was found, every check passed
//	1  a check failed: bad signature or tag, or a token sealed with another
//	   key (verify), weak or published key (audit), a Desafio check failed
//	   (desafio); or the command could not finish (random source failed, the
//	   demo could not start)
//	2  usage error: unknown command or flag, bad flag value, missing or extra
//	   argument, no cookie given, a key or word list file that cannot be read
//	3  malformed input: not a Flask cookie nor an SK1 token, bad payload, not
//	   a JSON object, over a size limit
//	4  expired, or signed or sealed in the future (verify)
//
// Errors are one line, "sessionkit command: what is wrong and what to do",
// followed for usage errors by a pointer to "sessionkit help command".
//
// Nothing untrusted reaches the terminal raw: control characters and
// non-ASCII bytes in cookies, payloads and error messages are escaped
// (desafio's checklist keeps letters such as ã and é, and escapes control
// and format characters).
package main
