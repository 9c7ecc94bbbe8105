package demo_test

import (
	"fmt"
	"net/http"
	"net/http/httptest"

	"github.com/sessionkit/session/internal/demo"
)

// The lesson's Exemplo 01 against the demo's handler: the cookie /login
// sets is what /perfil reads.
func ExampleNewHandler() {
	h, err := demo.NewHandler(demo.Config{Key: []byte("0f5d8e3b9c2a7f614e8d0b3c5a9e2f7d1c6b4a8e3f0d9c2b")})
	if err != nil {
		panic(err)
	}
	get := func(path string, cookies []*http.Cookie) *httptest.ResponseRecorder {
		r := httptest.NewRequest("GET", path, nil)
		for _, c := range cookies {
			r.AddCookie(c)
		}
		w := httptest.NewRecorder()
		h.ServeHTTP(w, r)
		return w
	}
	login := get("/login", nil)
	fmt.Println(login.Body)
	fmt.Println(get("/perfil", login.Result().Cookies()).Body)
	fmt.Println(get("/perfil", nil).Body)
	// Output:
	// Usuário logado!
	// Bem-vindo, Maria!
	// Nenhum usuário logado.
}
