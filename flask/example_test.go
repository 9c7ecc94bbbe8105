package flask_test

import (
	"errors"
	"fmt"
	"time"
	"unicode/utf8"

	"github.com/sessionkit/session/flask"
)

// A Go service writes the cookie Flask writes for session["usuario"] =
// "Maria", and reads it back.
func Example() {
	s, err := flask.NewSigner([]byte("test-secret-key"))
	if err != nil {
		panic(err)
	}
	c := flask.NewCodec(s)
	now := time.Unix(1700000000, 0)

	cookie, err := c.Encode(map[string]any{"usuario": "Maria"}, now)
	if err != nil {
		panic(err)
	}
	fmt.Println(cookie)

	values, err := c.Decode(cookie, now.Add(time.Hour))
	if err != nil {
		panic(err)
	}
	fmt.Println(values["usuario"])

	// 31 days and one second later, Flask's default lifetime is over.
	_, err = c.Decode(cookie, now.Add(flask.DefaultMaxAge+time.Second))
	fmt.Println(errors.Is(err, flask.ErrExpired))
	// Output:
	// eyJ1c3VhcmlvIjoiTWFyaWEifQ.ZVPxAA.ZRHvFsc2S0rFxA4WVFbGNBikc2g
	// Maria
	// true
}

// Flash messages are tuples; a dict that looks like a tag is escaped.
func ExampleMarshal() {
	js, err := flask.Marshal(map[string]any{
		"_flashes": []any{flask.Tuple{"message", "Olá"}},
		"x":        map[string]any{" t": 1},
		"f":        []any{1.0, 1e16, 0.0001},
	})
	if err != nil {
		panic(err)
	}
	fmt.Println(string(js))
	// Output:
	// {"_flashes":[{" t":["message","Ol\u00e1"]}],"f":[1.0,1e+16,0.0001],"x":{" di":{" t__":1}}}
}

// Rotating keys: the old key stays as a fallback, so its cookies are still
// read, and Refresh re-signs them with the new key.
func ExampleNewSigner_fallback() {
	now := time.Unix(1700000000, 0)
	old, _ := flask.NewSigner([]byte("old-key"))
	cookie := old.Sign("eyJ1c3VhcmlvIjoiTWFyaWEifQ", now)

	s, _ := flask.NewSigner([]byte("new-key"), []byte("old-key"))
	_, _, key, err := s.Unsign(cookie)
	fmt.Println(key, err)

	fresh, _ := flask.NewCodec(s).Refresh(cookie, now.Add(time.Minute))
	_, _, key, err = s.Unsign(fresh)
	fmt.Println(key, err)
	// Output:
	// 1 <nil>
	// 0 <nil>
}

// Parse and PayloadJSON show what a cookie holds without the key; the
// result is unverified.
func ExampleParse() {
	p, err := flask.Parse(".eJyrVipVsqpWUgCSSoZGxiamZuYWuGil2loABOwKyw.ZVPxAA.wf4EaZT54mwOvgSk7la-4XsXvlU")
	if err != nil {
		panic(err)
	}
	js, err := flask.PayloadJSON(p.Payload, 4096)
	if err != nil {
		panic(err)
	}
	fmt.Println(p.Compressed, time.Unix(p.Timestamp, 0).UTC().Format(time.RFC3339))
	fmt.Println(string(js))
	// Output:
	// true 2023-11-14T22:13:20Z
	// {"u":{" u":"12345678123456781234567812345678"}}
}

// Normalize turns Go values into what a session holds (and what a later
// request reads back), or says which part cannot be stored.
func ExampleNormalize() {
	v, err := flask.Normalize(map[string][]int{"cart": {3, 1}})
	fmt.Printf("%#v %v\n", v, err)

	_, err = flask.Normalize(map[string]any{"user": []any{"Maria", struct{}{}}})
	fmt.Println(err)
	fmt.Println(errors.Is(err, flask.ErrUnsupported))
	// Output:
	// map[string]interface {}{"cart":[]interface {}{3, 1}} <nil>
	// flask: unsupported value at ["user"][1]: struct {}
	// true
}

// A string Flask read from a JSON request body may hold a lone
// surrogate; Decode keeps it in WTF-8, which utf8.ValidString tells
// apart, and Encode writes it back as Flask did.
func ExampleCodec_Decode_loneSurrogate() {
	s, _ := flask.NewSigner([]byte("test-secret-key"))
	c := flask.NewCodec(s)
	now := time.Unix(1700000000, 0)
	// What Flask writes for session["nome"] = "Jo\ud800o".
	flaskCookie := s.Sign("eyJub21lIjoiSm9cdWQ4MDBvIn0", now)

	values, err := c.Decode(flaskCookie, now)
	if err != nil {
		panic(err)
	}
	nome := values["nome"].(string)
	fmt.Printf("%q %v\n", nome, utf8.ValidString(nome))

	js, _ := flask.Marshal(values)
	fmt.Println(string(js))
	// Output:
	// "Jo\xed\xa0\x80o" false
	// {"nome":"Jo\ud800o"}
}
