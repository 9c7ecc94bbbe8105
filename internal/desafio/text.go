package desafio

import "fmt"

// messages holds every sentence of the checklist, in pt-BR and English.
var messages = map[string][2]string{
	"header":   {"Desafio: verificando %s como um navegador", "Desafio: checking %s as a browser would"},
	"summary":  {"%d de %d verificações passaram", "%d of %d checks passed"},
	"summary1": {"%d de %d verificações passou", "%d of %d checks passed"},
	"failed":   {"%d falharam", "%d failed"},
	"failed1":  {"%d falhou", "%d failed"},
	"skipped":  {"%d não verificadas", "%d not checked"},
	"skipped1": {"%d não verificada", "%d not checked"},
	"ok":       {"ok", "ok"},
	"fail":     {"FALHOU", "FAIL"},
	"skip":     {"--", "--"},
	"needs":    {"não verificado: a verificação %d falhou", "not checked: check %d failed"},

	"title.app":        {"O app responde e %s tem um formulário de login", "The app answers and %s has a login form"},
	"title.anonimo":    {"%s recusa quem não fez login", "%s refuses visitors who have not logged in"},
	"title.login":      {"O login funciona e %s mostra quem entrou", "Logging in works and %s shows who logged in"},
	"title.cookie":     {"O cookie %s é uma sessão do Flask, assinada, com o nome de quem entrou", "The %s cookie is a signed Flask session holding the user's name"},
	"title.chave":      {"A SECRET_KEY não é fraca nem publicada", "The SECRET_KEY is neither weak nor published"},
	"title.validade":   {"A sessão é permanente e dura %s", "The session is permanent and lasts %s"},
	"title.validade0":  {"A sessão é permanente", "The session is permanent"},
	"title.flash":      {"Mensagens flash aparecem depois do login e do logout", "Flash messages show after logging in and after logging out"},
	"title.logout":     {"O logout limpa a sessão", "Logging out clears the session"},
	"title.adulterado": {"Um cookie adulterado é recusado", "A tampered cookie is refused"},

	"app.unreachable": {"não consegui abrir %s: %v. O app está rodando? (flask --app app run)", "could not open %s: %v. Is the app running? (flask --app app run)"},
	"app.status":      {"%s respondeu %d; o contrato pede ali um formulário de login (ou indique outro caminho com -login)", "%s answered %d; the contract asks for a login form there (or give another path with -login)"},
	"app.noform":      {"%s não tem um <form method=\"post\"> com um campo de texto para o nome%s", "%s has no <form method=\"post\"> with a text field for the name%s"},
	"app.field":       {" (campo %s)", " (field %s)"},
	"app.ok":          {"formulário para %s, campo %s", "form posting to %s, field %s"},

	"anon.redirect": {"%d para %s", "%d to %s"},
	"anon.status":   {"respondeu %d", "answered %d"},
	"anon.open":     {"sem login, %s respondeu %d com a página: confira se \"usuario\" está na sessão e, se não estiver, redirecione para o login", "without logging in, %s answered %d with the page: check that \"usuario\" is in the session and, if not, redirect to the login"},
	"anon.missing":  {"%s não existe (%d): o contrato pede ali a página protegida (ou indique outro caminho com -protected)", "%s does not exist (%d): the contract asks for the protected page there (or give another path with -protected)"},
	"anon.other":    {"sem login, %s respondeu %d; esperava um redirecionamento para o login (302 ou 303) ou 401/403", "without logging in, %s answered %d; expected a redirect to the login (302 or 303) or 401/403"},
	"anon.error":    {"abrir %s falhou: %v", "opening %s failed: %v"},

	"login.error":    {"enviar o formulário de login falhou: %v", "sending the login form failed: %v"},
	"login.status":   {"o formulário de login respondeu %d em %s", "the login form answered %d at %s"},
	"login.nocookie": {"o login não criou o cookie %s: guarde o nome na sessão (session[\"usuario\"] = usuario)", "logging in set no %s cookie: keep the name in the session (session[\"usuario\"] = usuario)"},
	"login.noname":   {"depois do login, %s respondeu %d sem mostrar o nome %q", "after logging in, %s answered %d without showing the name %q"},
	"login.ok":       {"entrou como %q; %s mostra o nome", "logged in as %q; %s shows the name"},

	"cookie.bad":    {"o cookie %s não é uma sessão do Flask: %v", "the %s cookie is not a Flask session: %v"},
	"cookie.sealed": {"o cookie %s é um token SK1 selado (a sessão cifrada do sessionkit), que ninguém lê sem a chave, nem o corretor: o Desafio pede a sessão padrão do Flask, assinada (item 7 do enunciado)", "the %s cookie is an SK1 sealed token (sessionkit's encrypted session), which nobody reads without the key, the grader included: the Desafio asks for Flask's default signed session (item 7 of the task)"},
	"cookie.noname": {"a sessão não guarda o nome %q (ela tem: %s)", "the session does not hold the name %q (it has: %s)"},
	"cookie.ok":     {"a sessão tem %s = %q, legível por qualquer um: o cookie é assinado, não cifrado", "the session holds %s = %q, readable by anyone: the cookie is signed, not encrypted"},

	"key.lesson":   {"o cookie foi assinado com a chave de exemplo da aula (ou uma variação dela): qualquer um pode forjar sessões. Gere uma chave nova: python -c 'import secrets; print(secrets.token_hex())'", "the cookie was signed with the lesson's example key (or a variant of it): anyone can forge sessions. Make a new key: python -c 'import secrets; print(secrets.token_hex())'"},
	"key.known":    {"o cookie foi assinado com uma chave publicada (impressão digital %s), das que atacantes testam primeiro. Gere uma chave nova: python -c 'import secrets; print(secrets.token_hex())'", "the cookie was signed with a published key (fingerprint %s), one that attackers try first. Make a new key: python -c 'import secrets; print(secrets.token_hex())'"},
	"key.wordlist": {"o cookie foi assinado com a chave da linha %d da lista de palavras (impressão digital %s). Gere uma chave nova: python -c 'import secrets; print(secrets.token_hex())'", "the cookie was signed with the key on line %d of the word list (fingerprint %s). Make a new key: python -c 'import secrets; print(secrets.token_hex())'"},
	"key.ok":       {"nenhuma das %d chaves testadas (publicadas e variações da chave da aula) assina o cookie; a chave em si não se vê daqui: confira-a com sessionkit audit -key-env SECRET_KEY", "none of the %d keys tried (published ones and variants of the lesson's key) signs the cookie; the key itself cannot be seen from here: check it with sessionkit audit -key-env SECRET_KEY"},

	"life.off":       {"não exigido (-lifetime 0)", "not required (-lifetime 0)"},
	"life.nocookie":  {"depois do login não veio um cookie %s", "no %s cookie came after logging in"},
	"life.notperm":   {"a sessão não é permanente: faça session.permanent = True no login", "the session is not permanent: set session.permanent = True when logging in"},
	"life.noexpires": {"o cookie não tem Expires nem Max-Age: o navegador o apaga ao fechar", "the cookie has neither Expires nor Max-Age: the browser drops it when it closes"},
	"life.wrong":     {"o cookie vale %s (Expires menos a hora do servidor), não %s: configure PERMANENT_SESSION_LIFETIME = %s", "the cookie lasts %s (Expires minus the server's time), not %s: set PERMANENT_SESSION_LIFETIME = %s"},
	"life.idle":      {"depois de %s sem uso, %s ainda aceitou o cookie: o servidor deve recusar sessões paradas há mais de %s", "after %s idle, %s still accepted the cookie: the server must refuse sessions idle for more than %s"},
	"life.waited":    {"Expires = agora + %s; depois de %s sem uso o servidor recusou o cookie", "Expires = now + %s; after %s idle the server refused the cookie"},
	"life.nowait":    {"Expires = agora + %s. Que o servidor recusa o cookie depois de %s sem uso não foi verificado: rode com -wait (leva %s)", "Expires = now + %s. That the server refuses the cookie after %s idle was not checked: run with -wait (it takes %s)"},
	"life.waiting":   {"Esperando %s sem usar a sessão, para ver se o servidor a recusa...", "Waiting %s without using the session, to see the server refuse it..."},
	"life.error":     {"abrir %s depois da espera falhou: %v", "opening %s after the wait failed: %v"},

	"flash.none":     {"depois do %s, nenhuma mensagem flash: chame flash(\"...\") e mostre get_flashed_messages() no template", "after %s, no flash message: call flash(\"...\") and show get_flashed_messages() in the template"},
	"flash.hidden":   {"o %s guardou a mensagem %q, mas a página seguinte (%s) não a mostra: use get_flashed_messages() no template", "%s stored the message %q, but the next page (%s) does not show it: use get_flashed_messages() in the template"},
	"flash.notfound": {"depois do %s, a página %s não mostra %q", "after %s, the page %s does not show %q"},
	"flash.ok":       {"login: %q; logout: %q", "login: %q; logout: %q"},
	"flash.login":    {"login", "logging in"},
	"flash.logout":   {"logout", "logging out"},

	"logout.error":     {"abrir %s falhou: %v", "opening %s failed: %v"},
	"logout.status":    {"%s respondeu %d", "%s answered %d"},
	"logout.kept":      {"depois do logout a sessão ainda tem o nome %q: use session.clear() (ou session.pop(\"usuario\"))", "after logging out the session still holds the name %q: use session.clear() (or session.pop(\"usuario\"))"},
	"logout.protected": {"depois do logout, %s ainda mostra a página (%d)", "after logging out, %s still shows the page (%d)"},
	"logout.ok":        {"%s %s: a sessão não tem mais o nome e %s recusa de novo", "%s %s: the session no longer holds the name and %s refuses again"},

	"tamper.fail":  {"com o nome trocado por %q no cookie e a assinatura antiga, %s mostrou %q: o app não confere a assinatura (use a sessão padrão do Flask)", "with the name changed to %q in the cookie and the old signature, %s showed %q: the app does not check the signature (use Flask's default session)"},
	"tamper.ok":    {"o cookie com o nome trocado por %q e a assinatura antiga foi recusado (%d)", "the cookie with the name changed to %q and the old signature was refused (%d)"},
	"tamper.cant":  {"não deu para montar um cookie adulterado: %v", "could not build a tampered cookie: %v"},
	"tamper.error": {"abrir %s com o cookie adulterado falhou: %v", "opening %s with the tampered cookie failed: %v"},
}

// langIndex is the column of messages for lang.
func langIndex(lang string) int {
	if lang == "en" {
		return 1
	}
	return 0
}

// count formats sentence key, or key+"1" when n is 1, with n first.
func count(lang, key string, n int, args ...any) string {
	if n == 1 {
		key += "1"
	}
	return msg(lang, key, append([]any{n}, args...)...)
}

// msg formats sentence key in lang.
func msg(lang, key string, args ...any) string {
	m, ok := messages[key]
	if !ok {
		panic("desafio: no message " + key)
	}
	return fmt.Sprintf(m[langIndex(lang)], args...)
}
