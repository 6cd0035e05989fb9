package main

import (
	"bytes"
	"encoding/base64"
	"fmt"
	"io/ioutil"
	"net/http"
	"os"
	"sort"
	"strings"

	"github.com/mesos/mesos-go/api/v1/lib/httpcli"
)

// traced logs what the mesos-go client sends and what comes back, so a
// failing compatibility run shows the exact exchange. Request bodies are
// printed as text for JSON and base64 for protobuf; response bodies only for
// errors (a 200 SUBSCRIBE body is the event stream and must not be consumed).
func traced(next httpcli.DoFunc) httpcli.DoFunc {
	return func(req *http.Request) (*http.Response, error) {
		var body []byte
		if req.Body != nil {
			body, _ = ioutil.ReadAll(req.Body)
			req.Body.Close()
			req.Body = ioutil.NopCloser(bytes.NewReader(body))
		}
		fmt.Fprintf(os.Stderr, "TRACE > %s %s\n%sTRACE >   body %s\n",
			req.Method, req.URL, headerLines("TRACE >   ", req.Header), printable(req.Header.Get("Content-Type"), body))

		res, err := next(req)
		if err != nil {
			fmt.Fprintf(os.Stderr, "TRACE < error: %v\n", err)
			return res, err
		}
		fmt.Fprintf(os.Stderr, "TRACE < %s\n%s", res.Status, headerLines("TRACE <   ", res.Header))
		if res.StatusCode >= 300 {
			errBody, _ := ioutil.ReadAll(res.Body)
			res.Body.Close()
			res.Body = ioutil.NopCloser(bytes.NewReader(errBody))
			fmt.Fprintf(os.Stderr, "TRACE <   body %q\n", errBody)
		}
		return res, nil
	}
}

func headerLines(prefix string, h http.Header) string {
	names := make([]string, 0, len(h))
	for name := range h {
		names = append(names, name)
	}
	sort.Strings(names)
	var b strings.Builder
	for _, name := range names {
		fmt.Fprintf(&b, "%s%s: %s\n", prefix, name, strings.Join(h[name], ", "))
	}
	return b.String()
}

func printable(contentType string, body []byte) string {
	if strings.HasPrefix(contentType, "application/json") {
		return string(body)
	}
	return "base64:" + base64.StdEncoding.EncodeToString(body)
}
