package openaitest

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"image"
	"image/color"
	"image/png"
	"io"
	"mime/multipart"
	"net/http"
	"strings"
)

// PNG returns the tiny valid PNG the fake serves for every image: 2×2
// pixels in the brand colours of a fictional shop.
func PNG() []byte {
	img := image.NewRGBA(image.Rect(0, 0, 2, 2))
	img.Set(0, 0, color.RGBA{0xe6, 0x39, 0x46, 0xff})
	img.Set(1, 0, color.RGBA{0xf1, 0xfa, 0xee, 0xff})
	img.Set(0, 1, color.RGBA{0xa8, 0xda, 0xdc, 0xff})
	img.Set(1, 1, color.RGBA{0x1d, 0x35, 0x57, 0xff})
	var buf bytes.Buffer
	_ = png.Encode(&buf, img) // encoding an in-memory image cannot fail
	return buf.Bytes()
}

func imagesReply(model, format string, n int) map[string]any {
	if n <= 0 {
		n = 1
	}
	data := make([]map[string]any, n)
	for i := range data {
		if format == "url" {
			data[i] = map[string]any{"url": "https://openaitest.invalid/images/image.png"}
		} else {
			data[i] = map[string]any{"b64_json": base64.StdEncoding.EncodeToString(PNG())}
		}
		if model == "dall-e-3" {
			data[i]["revised_prompt"] = "A revised prompt from openaitest."
		}
	}
	out := map[string]any{"created": 1700000000, "data": data}
	if strings.HasPrefix(model, "gpt-image") || model == "" {
		out["usage"] = map[string]any{"input_tokens": 10, "output_tokens": 100, "total_tokens": 110,
			"input_tokens_details": map[string]any{"text_tokens": 10, "image_tokens": 0}}
	}
	return out
}

func (s *Server) imagesGenerate(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model          string `json:"model"`
		Prompt         string `json:"prompt"`
		N              int    `json:"n"`
		ResponseFormat string `json:"response_format"`
	}
	if err := json.NewDecoder(r.Body).Decode(&req); err != nil || req.Prompt == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing required parameter: 'prompt'.")
		return
	}
	writeJSON(w, http.StatusOK, imagesReply(req.Model, req.ResponseFormat, req.N))
}

// imagesUpload serves edits and variations: every uploaded image must be a
// PNG, JPEG or WebP.
func (s *Server) imagesUpload(w http.ResponseWriter, r *http.Request) {
	fields := map[string]string{}
	images := 0
	ok := eachPart(w, r, func(p *multipart.Part) bool {
		name := p.FormName()
		if p.FileName() == "" {
			b, _ := io.ReadAll(io.LimitReader(p, 1<<20))
			fields[name] = string(b)
			return true
		}
		head := make([]byte, 8)
		n, _ := io.ReadFull(p, head)
		_, _ = io.Copy(io.Discard, p)
		ct := http.DetectContentType(head[:n])
		if ct != "image/png" && ct != "image/jpeg" && ct != "image/webp" && !bytes.HasPrefix(head[:n], []byte("RIFF")) {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "invalid_image_format",
				"Invalid file '"+p.FileName()+"': unsupported mimetype ('"+ct+"'). Supported file formats are 'image/jpeg', 'image/png', and 'image/webp'.")
			return false
		}
		if name == "image" || name == "image[]" {
			images++
		}
		return true
	})
	if !ok {
		return
	}
	if images == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing required parameter: 'image'.")
		return
	}
	if strings.HasSuffix(r.URL.Path, "/edits") && fields["prompt"] == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing required parameter: 'prompt'.")
		return
	}
	n := 1
	if fields["n"] != "" {
		_ = json.Unmarshal([]byte(fields["n"]), &n)
	}
	writeJSON(w, http.StatusOK, imagesReply(fields["model"], fields["response_format"], n))
}
