// Sessionkit works with Flask session cookies: it makes secret keys, shows
// what a cookie holds, verifies and signs cookies exactly as Flask does,
// looks for weak or published keys, and serves the lesson's demo site.
//
// Usage:
//
//	sessionkit <command> [arguments]
//
// The commands are:
//
//	secret   generate a random secret key
//	decode   show a cookie's contents without a key (UNVERIFIED)
//	verify   check a cookie's signature and age and print its session
//	sign     make a cookie that Flask accepts
//	audit    look for weak keys, or for cookies signed with a published key
//	demo     serve the lesson's examples in a browser
//	version  print the version
//	help     show help for a command
//
// Every command reads a cookie either from its argument or, when the
// argument is "-" or absent, from standard input. Cookie values may be given
// with a "session=" prefix or in double quotes, as browsers show them.
//
// Keys are given with -key-file FILE, -key-env NAME or -key KEY. The last
// works but warns, because a key on the command line is visible in the
// process list and in shell history. Keys are never printed, except by
// "audit -show-key".
//
// Exit status:
//
//	0  success: valid cookie, nothing weak found
//	1  bad signature, weakness or published key found, or the command failed
//	2  usage error
//	3  malformed cookie or input (too large, not a cookie, bad payload)
//	4  expired, or signed in the future
//
// Nothing untrusted reaches the terminal raw: control characters and
// non-ASCII bytes in cookies, payloads and error messages are escaped.
package main
