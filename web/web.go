// Package web serves the holders' web app, the bundle web/build.sh writes
// to web/dist and this package embeds, so rewardd serves it with no Node
// at run time. The app finds the API on its own origin unless ?api= names
// another, so the same files also work from any static host.
package web

import (
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"encoding/json"
	"io/fs"
	"net/http"
	"path"
)

//go:embed dist
var dist embed.FS

// files is dist/ as the site's root.
var files = func() fs.FS {
	sub, err := fs.Sub(dist, "dist")
	if err != nil {
		panic(err) // dist is embedded at build time; it is always there
	}
	return sub
}()

// contentTypes are set explicitly: module scripts refuse a wrong MIME type,
// and some systems map .js to text/plain (golang/go#32350).
var contentTypes = map[string]string{
	".html": "text/html; charset=utf-8",
	".js":   "text/javascript; charset=utf-8",
	".css":  "text/css; charset=utf-8",
}

// csp allows the page's own files only, and connections anywhere: the API
// and the node may be on other origins (?api=, ?rpc=).
const csp = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; " +
	"connect-src *; object-src 'none'; base-uri 'none'; frame-ancestors 'none'"

// Handler serves the app's files: / is index.html. Embedded files carry no
// modification time, so each response has an ETag of its content and
// Cache-Control no-cache: browsers revalidate and get 304 while the build
// is the same.
func Handler() http.Handler {
	etags := map[string]string{}
	_ = fs.WalkDir(files, ".", func(p string, d fs.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			b, _ := fs.ReadFile(files, p)
			sum := sha256.Sum256(b)
			etags[p] = `"` + hex.EncodeToString(sum[:8]) + `"`
		}
		return nil
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		name := path.Clean(r.URL.Path)[1:]
		if name == "" {
			name = "index.html"
		}
		etag, ok := etags[name]
		if !ok {
			http.NotFound(w, r)
			return
		}
		b, _ := fs.ReadFile(files, name)
		h := w.Header()
		if ct, ok := contentTypes[path.Ext(name)]; ok {
			h.Set("Content-Type", ct)
		}
		h.Set("ETag", etag)
		h.Set("Cache-Control", "no-cache")
		h.Set("X-Content-Type-Options", "nosniff")
		if name == "index.html" {
			h.Set("Content-Security-Policy", csp)
		}
		if r.Header.Get("If-None-Match") == etag {
			w.WriteHeader(http.StatusNotModified)
			return
		}
		if r.Method != http.MethodHead {
			_, _ = w.Write(b)
		} else {
			w.WriteHeader(http.StatusOK)
		}
	})
}

// Config is what the app learns from the daemon that serves it, at
// /app-config.json: the chain and the contract. The node's URL is not
// given out (it may be private); the page takes one from ?rpc=.
type Config struct {
	ChainID  uint64 `json:"chain_id"`
	Contract string `json:"contract"`
}

// With serves the app's files and its configuration, and passes every
// other request to next (the API): /, /index.html, /app.js, /app.css and
// /app-config.json are the app's.
func With(next http.Handler, c Config) http.Handler {
	app := Handler()
	conf, _ := json.Marshal(c)
	mux := http.NewServeMux()
	mux.Handle("/", next)
	for _, p := range []string{"GET /{$}", "GET /index.html", "GET /app.js", "GET /app.css"} {
		mux.Handle(p, app)
	}
	mux.HandleFunc("GET /app-config.json", func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		// Static copies of the app on other hosts read it (?api=).
		w.Header().Set("Access-Control-Allow-Origin", "*")
		_, _ = w.Write(conf)
	})
	return mux
}
