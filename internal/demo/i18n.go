package demo

import (
	"fmt"
	"html/template"
	"net/http"
	"strings"
)

// langCookie remembers the visitor's language choice. It is a cookie of its
// own, not a session value, so that it never changes the session cookie's
// size that Exemplo 02 measures.
const langCookie = "lang"

// pickLang returns the language for r: the visitor's choice (cookie), else
// the first of Accept-Language that the site speaks, else def.
func pickLang(r *http.Request, def string) string {
	if c, err := r.Cookie(langCookie); err == nil && languages[c.Value] {
		return c.Value
	}
	for _, part := range strings.Split(r.Header.Get("Accept-Language"), ",") {
		tag, _, _ := strings.Cut(strings.TrimSpace(part), ";")
		tag = strings.ToLower(strings.TrimSpace(tag))
		switch {
		case tag == "pt" || strings.HasPrefix(tag, "pt-"):
			return "pt-BR"
		case tag == "en" || strings.HasPrefix(tag, "en-"):
			return "en"
		}
	}
	return def
}

// text returns the catalog entry key in lang. Catalog entries are
// constants of this package and may hold markup (<code>), hence
// template.HTML; arguments are escaped.
func text(lang, key string, args ...any) template.HTML {
	e, ok := catalog[key]
	if !ok {
		panic("demo: no catalog entry " + key)
	}
	s := e[0]
	if lang == "en" {
		s = e[1]
	}
	if len(args) == 0 {
		return template.HTML(s)
	}
	for i, a := range args {
		switch a := a.(type) {
		case template.HTML, int, int64:
		case string:
			args[i] = template.HTMLEscapeString(a)
		default:
			args[i] = template.HTMLEscapeString(fmt.Sprint(a))
		}
	}
	return template.HTML(fmt.Sprintf(s, args...))
}

// catalog holds every sentence of the site: {pt-BR, en}.
var catalog = map[string][2]string{
	"site.title":   {"Sessões em Flask, em Go", "Flask sessions, in Go"},
	"site.tagline": {"Os exemplos da aula, rodando com sessionkit: veja o que o cookie guarda, quanto custa e por que não dá para falsificá-lo.", "The lesson's examples, running on sessionkit: see what the cookie holds, what it costs and why it cannot be forged."},
	"skip":         {"Pular para o conteúdo", "Skip to content"},
	"nav.label":    {"Seções", "Sections"},
	"nav.home":     {"Início", "Home"},
	"nav.ex01":     {"Exemplo 01", "Example 01"},
	"nav.ex02":     {"Exemplo 02", "Example 02"},
	"nav.insp":     {"Inspetor", "Inspector"},
	"nav.key":      {"Chave secreta", "Secret key"},
	"nav.desafio":  {"Desafio", "Challenge"},
	"lang.switch":  {"English", "Português"},
	"lang.other":   {"en", "pt-BR"},
	"footer":       {"Sessões assinadas com o formato do Flask (itsdangerous). Tempo de vida permanente: %s. Armazenamento: %s.", "Sessions signed in Flask's format (itsdangerous). Permanent lifetime: %s. Storage: %s."},
	"ephemeral":    {"Chave secreta efêmera: gerada ao iniciar; as sessões acabam quando o processo parar. Use SECRET_KEY ou -secret-key-file para mantê-las.", "Ephemeral secret key: generated at start; sessions end when the process stops. Use SECRET_KEY or -secret-key-file to keep them."},

	"home.h1":       {"Sessões: o servidor lembra de você", "Sessions: the server remembers you"},
	"home.intro":    {"HTTP não guarda estado: cada requisição chega sozinha. Uma <strong>sessão</strong> é o jeito de o servidor lembrar de você entre uma requisição e outra. No Flask (e aqui), os dados da sessão vão num <strong>cookie assinado</strong>: o navegador guarda e devolve; o servidor confere a assinatura com a <code>SECRET_KEY</code>.", "HTTP keeps no state: every request arrives alone. A <strong>session</strong> is how the server remembers you from one request to the next. In Flask (and here), the session's data travels in a <strong>signed cookie</strong>: the browser keeps it and sends it back; the server checks the signature with the <code>SECRET_KEY</code>."},
	"home.ex01":     {"Login, perfil e logout: guardar, ler e remover um valor da sessão.", "Login, profile and logout: store, read and remove a session value."},
	"home.ex02":     {"Uma lista de nomes numa sessão permanente: veja o cookie crescer até o limite de 4096 bytes.", "A list of names in a permanent session: watch the cookie grow up to the 4096-byte limit."},
	"home.insp":     {"O cookie por dentro: conteúdo, assinatura, validade. E a experiência de adulterá-lo.", "The cookie inside out: content, signature, validity. And the experiment of tampering with it."},
	"home.key":      {"Por que a chave secreta importa e como gerar uma.", "Why the secret key matters and how to make one."},
	"home.desafio":  {"Tudo junto: login com senha, página protegida, mensagens flash, logout que limpa a sessão.", "All together: login with a password, a protected page, flash messages, logout that clears the session."},
	"home.now":      {"O que a sua sessão guarda agora", "What your session holds now"},
	"home.empty":    {"Nada: a sessão está vazia.", "Nothing: the session is empty."},
	"sess.key":      {"chave", "key"},
	"sess.value":    {"valor", "value"},
	"sess.caption":  {"Conteúdo da sessão", "Session content"},
	"sess.internal": {"Chaves que começam com <code>_</code> são do próprio Flask (por exemplo <code>_permanent</code>, <code>_flashes</code>); as que começam com <code>_sk_</code> são do sessionkit (por exemplo <code>_sk_id</code>, a identidade que <code>Renew()</code> troca) e só aparecem no cookie.", "Keys starting with <code>_</code> are Flask's own (for example <code>_permanent</code>, <code>_flashes</code>); those starting with <code>_sk_</code> are sessionkit's (for example <code>_sk_id</code>, the identity <code>Renew()</code> replaces) and show only in the cookie."},

	"ex01.h1":     {"Exemplo 01: login, perfil e logout", "Example 01: login, profile and logout"},
	"ex01.intro":  {"Três rotas, exatamente como na aula. Cada botão faz a requisição de verdade e mostra a resposta do servidor; o inspetor ao lado mostra o cookie depois dela. Você também pode usar <code>curl</code> (veja abaixo).", "Three routes, exactly as in the lesson. Each button makes the real request and shows the server's answer; the inspector beside shows the cookie after it. You can also use <code>curl</code> (see below)."},
	"ex01.code":   {"O código da aula (Flask)", "The lesson's code (Flask)"},
	"ex01.answer": {"Resposta do servidor", "Server's answer"},
	"ex01.none":   {"(clique num botão)", "(press a button)"},
	"ex01.login":  {"<code>GET /login</code> grava <code>session[\"usuario\"] = \"Maria\"</code>. A resposta traz um cabeçalho <code>Set-Cookie</code> com o cookie assinado.", "<code>GET /login</code> stores <code>session[\"usuario\"] = \"Maria\"</code>. The answer carries a <code>Set-Cookie</code> header with the signed cookie."},
	"ex01.perfil": {"<code>GET /perfil</code> só lê: o navegador envia o cookie, o servidor confere a assinatura e encontra (ou não) <code>usuario</code>.", "<code>GET /perfil</code> only reads: the browser sends the cookie, the server checks the signature and finds (or not) <code>usuario</code>."},
	"ex01.logout": {"<code>GET /logout</code> faz <code>session.pop(\"usuario\", None)</code>: a chave sai da sessão e o cookie é regravado (ou apagado, se a sessão ficou vazia).", "<code>GET /logout</code> does <code>session.pop(\"usuario\", None)</code>: the key leaves the session and the cookie is rewritten (or deleted, if the session became empty)."},
	"ex01.curl":   {"No terminal, com um arquivo de cookies (o papel do navegador):", "In a terminal, with a cookie jar (the browser's part):"},
	"ex01.en":     {"", "The answers stay in Portuguese, word for word as in the lesson."},

	"ex02.h1":         {"Exemplo 02: uma lista na sessão permanente", "Example 02: a list in a permanent session"},
	"ex02.intro":      {"Cada nome enviado vai para a lista <code>nomes</code> da sessão, que é <strong>permanente</strong> com tempo de vida de <strong>%s</strong>: fique esse tempo sem usar o site e a lista some. Abra as ferramentas do desenvolvedor (Aplicativo → Cookies) e compare a coluna “Size” com a tabela.", "Each name you send goes into the session list <code>nomes</code>, which is <strong>permanent</strong> with a lifetime of <strong>%s</strong>: stay that long without using the site and the list is gone. Open the developer tools (Application → Cookies) and compare the “Size” column with the table."},
	"ex02.label":      {"Nome", "Name"},
	"ex02.add":        {"Adicionar", "Add"},
	"ex02.list":       {"Nomes na sessão", "Names in the session"},
	"ex02.empty":      {"A lista está vazia.", "The list is empty."},
	"ex02.sizes":      {"Tamanho do cookie a cada nome", "Cookie size for each name"},
	"ex02.n":          {"nº", "#"},
	"ex02.name":       {"nome", "name"},
	"ex02.bytes":      {"bytes", "bytes"},
	"ex02.of":         {"de 4096", "of 4096"},
	"ex02.sizenote":   {"Tamanho = nome do cookie + valor, como a coluna “Size” do navegador. Recalculado com o codificador real, no mesmo instante.", "Size = cookie name + value, as the browser's “Size” column. Recomputed with the real encoder, at the same instant."},
	"ex02.chart":      {"Crescimento do cookie (bytes) a cada nome; a linha tracejada é o limite de 4096 bytes.", "Cookie growth (bytes) per name; the dashed line is the 4096-byte limit."},
	"ex02.compressed": {"comprimido", "compressed"},
	"ex02.toobig.h":   {"Esse nome não cabe no cookie", "That name does not fit in the cookie"},
	"ex02.toobig":     {"Com <strong>%s</strong>, o cookie teria <strong>%s</strong>. Os navegadores guardam no máximo <strong>4096 bytes</strong> por cookie (nome + valor, RFC 6265 §6.1): um cookie maior é <strong>descartado em silêncio</strong>, e a sessão inteira se perderia sem nenhum aviso. Por isso a lista foi mantida como estava. Com um <strong>armazenamento no servidor</strong> (memória, SQLite, Redis, PostgreSQL), o cookie leva só um identificador assinado de tamanho fixo, e os dados ficam no servidor: a lista pode crescer sem tocar nesse limite.", "With <strong>%s</strong>, the cookie would be <strong>%s</strong>. Browsers keep at most <strong>4096 bytes</strong> per cookie (name + value, RFC 6265 §6.1): a larger cookie is <strong>silently dropped</strong>, and the whole session would be lost without a word. So the list was kept as it was. With a <strong>server-side store</strong> (memory, SQLite, Redis, PostgreSQL), the cookie carries only a fixed-size signed identifier and the data stays on the server: the list can grow without touching that limit."},
	"ex02.bytesn":     {"%d bytes", "%d bytes"},
	"ex02.over":       {"mais de 4096 bytes", "more than 4096 bytes"},
	"ex02.store":      {"Sessões no servidor (%s): o cookie tem só um identificador assinado; os dados da lista ocupam %d bytes no servidor.", "Server-side sessions (%s): the cookie holds only a signed identifier; the list's data takes %d bytes on the server."},
	"ex02.nosizes":    {"Adicione um nome para ver o tamanho do cookie crescer.", "Add a name to watch the cookie's size grow."},
	"ex02.clear":      {"Esvaziar a lista", "Empty the list"},

	"insp.h":          {"Inspetor do cookie", "Cookie inspector"},
	"insp.h1":         {"Inspetor: o cookie de sessão por dentro", "Inspector: the session cookie inside out"},
	"insp.intro":      {"O cookie do Flask tem três partes separadas por pontos: <strong>dados</strong> (JSON em base64, comprimido com zlib se começar com ponto), <strong>instante da assinatura</strong> e <strong>assinatura</strong> (HMAC-SHA1 com uma chave derivada da <code>SECRET_KEY</code>). Os dados <em>não são criptografados</em>: qualquer um lê. Mas ninguém altera sem a chave.", "Flask's cookie has three parts separated by dots: the <strong>data</strong> (base64 JSON, zlib-compressed when it starts with a dot), the <strong>signing time</strong> and the <strong>signature</strong> (HMAC-SHA1 with a key derived from the <code>SECRET_KEY</code>). The data is <em>not encrypted</em>: anyone can read it. But nobody can change it without the key."},
	"insp.none":       {"Nenhum cookie de sessão. Faça login no Exemplo 01 ou adicione um nome no Exemplo 02.", "No session cookie. Log in in Example 01 or add a name in Example 02."},
	"insp.sent":       {"O cookie que o seu navegador tem agora.", "The cookie your browser holds now."},
	"insp.payload":    {"dados", "data"},
	"insp.id":         {"identificador", "identifier"},
	"insp.ts":         {"instante", "time"},
	"insp.sig":        {"assinatura", "signature"},
	"insp.content":    {"Conteúdo decodificado", "Decoded content"},
	"insp.signedat":   {"Assinado em", "Signed at"},
	"insp.left":       {"Expira, sem atividade, em", "Expires, if idle, in"},
	"insp.expired":    {"expirado", "expired"},
	"insp.size":       {"Tamanho", "Size"},
	"insp.bytes":      {"%d bytes de 4096", "%d bytes of 4096"},
	"insp.comp":       {"Comprimido (zlib)", "Compressed (zlib)"},
	"insp.yes":        {"sim", "yes"},
	"insp.no":         {"não", "no"},
	"insp.valid":      {"Assinatura", "Signature"},
	"insp.ok":         {"confere ✔", "matches ✔"},
	"insp.bad":        {"NÃO confere ✘: o servidor ignora este cookie e a sessão começa vazia", "does NOT match ✘: the server ignores this cookie and the session starts empty"},
	"insp.expiredmsg": {"expirou ✘: assinada há mais tempo que o tempo de vida; a sessão começa vazia", "expired ✘: signed longer ago than the lifetime; the session starts empty"},
	"insp.malformed":  {"cookie malformado ✘: a sessão começa vazia", "malformed cookie ✘: the session starts empty"},
	"insp.idcookie":   {"Sessão no servidor: este valor é só um identificador assinado; os dados não viajam no cookie.", "Server-side session: this value is only a signed identifier; the data does not travel in the cookie."},
	"insp.more":       {"Ver no inspetor completo", "Open the full inspector"},

	"tamper.h":       {"Experiência: adulterar o cookie", "Experiment: tamper with the cookie"},
	"tamper.intro":   {"Mude os dados abaixo (por exemplo, troque <code>Maria</code> por <code>admin</code>) e envie. O servidor grava no seu navegador um cookie com os dados novos e a assinatura antiga, como faria um atacante, e abre a próxima página com ele.", "Change the data below (for example, replace <code>Maria</code> with <code>admin</code>) and send it. The server puts in your browser a cookie with the new data and the old signature, as an attacker would, and opens the next page with it."},
	"tamper.label":   {"Dados do cookie (JSON)", "Cookie data (JSON)"},
	"tamper.send":    {"Enviar cookie adulterado", "Send the tampered cookie"},
	"tamper.nocook":  {"Primeiro crie uma sessão (Exemplo 01: login).", "First create a session (Example 01: login)."},
	"tamper.result":  {"Resultado da adulteração", "Result of the tampering"},
	"tamper.bad":     {"A assinatura não confere com os dados alterados. O servidor descartou o cookie: a sessão desta requisição está <strong>vazia</strong> (%d chaves).", "The signature does not match the changed data. The server discarded the cookie: this request's session is <strong>empty</strong> (%d keys)."},
	"tamper.same":    {"Os dados não mudaram, então a assinatura ainda confere. Altere algo e tente de novo.", "The data did not change, so the signature still matches. Change something and try again."},
	"tamper.why":     {"Para produzir uma assinatura válida seria preciso conhecer a <code>SECRET_KEY</code>. Por isso ela deve ser longa, aleatória e secreta.", "Producing a valid signature would take the <code>SECRET_KEY</code>. That is why it must be long, random and secret."},
	"tamper.forget":  {"Apagar este cookie e começar de novo", "Delete this cookie and start again"},
	"tamper.invalid": {"Os dados enviados são grandes demais para um cookie.", "The data sent is too large for a cookie."},

	"key.h1":      {"A chave secreta", "The secret key"},
	"key.why":     {"A <code>SECRET_KEY</code> assina cada cookie de sessão. Quem a conhece pode fabricar sessões de qualquer usuário (por exemplo, <code>usuario = \"admin\"</code>). Quem não a conhece não consegue alterar nem um byte sem que a assinatura deixe de conferir. Então: longa, aleatória, fora do código-fonte e do repositório, diferente em cada ambiente.", "The <code>SECRET_KEY</code> signs every session cookie. Whoever knows it can forge any user's session (for example, <code>usuario = \"admin\"</code>). Whoever does not cannot change a single byte without the signature failing. So: long, random, out of the source code and the repository, different in every environment."},
	"key.gen":     {"Como gerar uma", "How to make one"},
	"key.go":      {"Com o sessionkit:", "With sessionkit:"},
	"key.py":      {"Como na aula, com Python:", "As in the lesson, with Python:"},
	"key.use":     {"E para rodar esta demonstração com ela (as sessões sobrevivem a reinícios):", "And to run this demo with it (sessions then survive restarts):"},
	"key.fresh":   {"Uma chave nova, gerada agora para você (32 bytes aleatórios em hexadecimal):", "A fresh key, made for you just now (32 random bytes in hex):"},
	"key.rotate":  {"Trocar a chave invalida todas as sessões. Para trocar sem derrubar ninguém, o Flask tem <code>SECRET_KEY_FALLBACKS</code> e o sessionkit aceita chaves antigas em <code>session.New(chave, antigas...)</code>: elas só verificam, nunca assinam.", "Changing the key invalidates every session. To rotate without logging everyone out, Flask has <code>SECRET_KEY_FALLBACKS</code> and sessionkit takes old keys in <code>session.New(key, old...)</code>: they only verify, never sign."},
	"key.bad":     {"Nunca use chaves de exemplo como <code>dev</code>, <code>secret</code> ou <code>change-me</code>: o sessionkit as recusa.", "Never use example keys such as <code>dev</code>, <code>secret</code> or <code>change-me</code>: sessionkit refuses them."},
	"key.current": {"Esta demonstração está usando uma chave %s.", "This demo is using a %s key."},
	"key.eph":     {"efêmera (gerada ao iniciar)", "ephemeral (generated at start)"},
	"key.given":   {"fornecida por você", "given by you"},

	"des.h1":        {"Desafio: um pequeno app com login", "Challenge: a small app with login"},
	"des.intro":     {"Junta tudo: um formulário de login (qualquer nome, senha de demonstração <code>%s</code>), uma página protegida, mensagens flash e logout que limpa a sessão.", "It puts everything together: a login form (any name, demo password <code>%s</code>), a protected page, flash messages and a logout that clears the session."},
	"des.name":      {"Nome", "Name"},
	"des.pass":      {"Senha", "Password"},
	"des.passhint":  {"A senha de demonstração é <code>%s</code>.", "The demo password is <code>%s</code>."},
	"des.enter":     {"Entrar", "Log in"},
	"des.steps":     {"O que acontece", "What happens"},
	"des.s1":        {"No login, <code>Renew()</code> troca a identidade da sessão (proteção contra fixação de sessão) e grava <code>usuario</code>.", "On login, <code>Renew()</code> changes the session's identity (protection against session fixation) and stores <code>usuario</code>."},
	"des.s2":        {"Uma mensagem <em>flash</em> vai na sessão e é lida (e apagada) na página seguinte.", "A <em>flash</em> message goes into the session and is read (and removed) on the next page."},
	"des.s3":        {"A página protegida confere <code>usuario</code> na sessão; sem ele, volta para cá com um aviso.", "The protected page checks <code>usuario</code> in the session; without it, it sends you back here with a notice."},
	"des.s4":        {"O logout chama <code>Destroy()</code>: a sessão inteira é apagada, cookie incluído.", "Logout calls <code>Destroy()</code>: the whole session is deleted, cookie included."},
	"des.go":        {"Ir para a página protegida", "Go to the protected page"},
	"des.already":   {"Você está logado como <strong>%s</strong>.", "You are logged in as <strong>%s</strong>."},
	"des.welcome":   {"Bem-vindo, %s! Login feito.", "Welcome, %s! You are logged in."},
	"des.wrong":     {"Nome ou senha incorretos.", "Wrong name or password."},
	"des.needlogin": {"Faça login para ver a página protegida.", "Log in to see the protected page."},
	"des.out":       {"Você saiu. A sessão foi apagada.", "You logged out. The session was deleted."},
	"des.ph1":       {"Área restrita", "Restricted area"},
	"des.secret":    {"Olá, <strong>%s</strong>. Só quem tem uma sessão com <code>usuario</code> vê esta página. Você entrou às %s.", "Hello, <strong>%s</strong>. Only a session with <code>usuario</code> sees this page. You logged in at %s."},
	"des.logout":    {"Sair (limpar a sessão)", "Log out (clear the session)"},
	"flash.label":   {"Mensagens", "Messages"},

	"err.h1":     {"Algo deu errado", "Something went wrong"},
	"err.msg":    {"O servidor não conseguiu ler ou guardar a sessão. Tente de novo.", "The server could not read or save the session. Try again."},
	"err.store":  {"O armazenamento de sessões não respondeu. Sua sessão não foi perdida nem trocada por uma vazia: tente de novo em instantes.", "The session store did not answer. Your session was neither lost nor replaced by an empty one: try again in a moment."},
	"err.toobig": {"A sessão ficou grande demais para caber num cookie (o limite dos navegadores é 4096 bytes). Um cookie maior seria descartado em silêncio, então nada foi gravado: seu navegador continua com o cookie anterior.", "The session grew too big for a cookie (browsers keep at most 4096 bytes). A larger cookie would be silently dropped, so nothing was saved: your browser keeps its previous cookie."},
	"err.back":   {"Voltar ao início", "Back to the start"},
}
