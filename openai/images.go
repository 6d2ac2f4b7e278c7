package openai

import (
	"bytes"
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"strconv"

	"github.com/reachkit/reachkit/internal/transport"
	"github.com/reachkit/reachkit/ratelimit"
)

// ImagesService generates and edits images.
type ImagesService service

// ImageGenerateRequest creates images from a prompt. The options differ by
// model: gpt-image-1 takes Background, OutputFormat, OutputCompression,
// Moderation and always returns base64; dall-e-3 takes Style and
// ResponseFormat; dall-e-2 takes N up to 10.
type ImageGenerateRequest struct {
	Model             string `json:"model,omitempty"`
	Prompt            string `json:"prompt"`
	N                 int    `json:"n,omitempty"`
	Size              string `json:"size,omitempty"`               // "1024x1024", "1536x1024", "auto", ...
	Quality           string `json:"quality,omitempty"`            // "low", "medium", "high", "auto"; "standard"/"hd" for dall-e-3
	Style             string `json:"style,omitempty"`              // "vivid" or "natural" (dall-e-3)
	Background        string `json:"background,omitempty"`         // "transparent", "opaque", "auto"
	OutputFormat      string `json:"output_format,omitempty"`      // "png", "jpeg", "webp"
	OutputCompression *int   `json:"output_compression,omitempty"` // 0-100 for jpeg and webp
	Moderation        string `json:"moderation,omitempty"`         // "low" or "auto"
	ResponseFormat    string `json:"response_format,omitempty"`    // "url" or "b64_json" (dall-e)
	User              string `json:"user,omitempty"`

	Extra map[string]any `json:"-"`
}

// ImagesResponse holds generated images.
type ImagesResponse struct {
	Created      int64       `json:"created"`
	Data         []Image     `json:"data"`
	Background   string      `json:"background,omitempty"`
	OutputFormat string      `json:"output_format,omitempty"`
	Quality      string      `json:"quality,omitempty"`
	Size         string      `json:"size,omitempty"`
	Usage        *ImageUsage `json:"usage,omitempty"`

	Meta Meta `json:"-"`
}

// ImageUsage counts the tokens of a gpt-image-1 call.
type ImageUsage struct {
	InputTokens  int `json:"input_tokens"`
	OutputTokens int `json:"output_tokens"`
	TotalTokens  int `json:"total_tokens"`
}

// Image is one generated image: a URL or base64 data.
type Image struct {
	URL           string `json:"url,omitempty"`
	B64JSON       string `json:"b64_json,omitempty"`
	RevisedPrompt string `json:"revised_prompt,omitempty"`
}

// ErrNoImageData is returned by Image.Bytes for an image given only by URL.
var ErrNoImageData = errors.New("openai: the image has no base64 data (it was returned as a URL)")

// Bytes decodes the base64 image data.
func (img Image) Bytes() ([]byte, error) {
	if img.B64JSON == "" {
		return nil, ErrNoImageData
	}
	b, err := base64.StdEncoding.DecodeString(img.B64JSON)
	if err != nil {
		return nil, fmt.Errorf("openai: image data is not valid base64: %w", err)
	}
	return b, nil
}

// WriteFile decodes the base64 image data into a file, created with mode 0644.
func (img Image) WriteFile(path string) error {
	b, err := img.Bytes()
	if err != nil {
		return err
	}
	return os.WriteFile(path, b, 0o644)
}

func imageCost(model string) ratelimit.Cost {
	if model == "" {
		model = "dall-e-2"
	}
	return ratelimit.Cost{Key: model, Requests: 1}
}

// Generate creates images from a prompt.
func (s *ImagesService) Generate(ctx context.Context, req ImageGenerateRequest, opts ...RequestOption) (*ImagesResponse, error) {
	if req.Prompt == "" {
		return nil, fmt.Errorf("openai: %w: ImageGenerateRequest.Prompt is empty", ErrInvalidRequest)
	}
	b, err := transport.EncodeJSON(&req, req.Extra)
	if err != nil {
		return nil, fmt.Errorf("openai: encoding image request: %w", err)
	}
	out := new(ImagesResponse)
	out.Meta, err = s.c.doJSON(ctx, &call{method: http.MethodPost, path: "images/generations", body: b, cost: imageCost(req.Model), opts: opts}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// File is a file to upload: its content and its name, whose extension tells
// the API its format. Use an *os.File or *bytes.Reader as Reader so that a
// failed upload can be retried; any other reader is sent once.
type File struct {
	Name        string
	Reader      io.Reader
	ContentType string // optional; guessed by the API from Name when empty
}

// ImageEditRequest edits or extends images with a prompt. gpt-image-1 takes
// up to 16 images; dall-e-2 takes one square PNG.
type ImageEditRequest struct {
	Images            []File
	Mask              *File // optional PNG whose transparent areas mark what to edit
	Prompt            string
	Model             string
	N                 int
	Size              string
	Quality           string
	Background        string
	OutputFormat      string
	OutputCompression *int
	InputFidelity     string // "high" or "low" (gpt-image-1)
	ResponseFormat    string
	User              string
}

// imageTypes are the formats the image endpoints take, by their magic bytes.
var imageTypes = []struct {
	magic, typ string
}{
	{"\x89PNG\r\n\x1a\n", "image/png"},
	{"\xff\xd8\xff", "image/jpeg"},
	{"RIFF", "image/webp"},
}

// sniffImage checks that f starts like a PNG, JPEG or WebP without consuming
// it, and returns its content type.
func sniffImage(f File) (File, error) {
	var head [12]byte
	var n int
	var err error
	if rs, ok := f.Reader.(io.ReadSeeker); ok {
		n, err = io.ReadFull(rs, head[:])
		if _, serr := rs.Seek(int64(-n), io.SeekCurrent); serr != nil {
			return f, fmt.Errorf("openai: rewinding %s: %w", f.Name, serr)
		}
	} else {
		n, err = io.ReadFull(f.Reader, head[:])
		f.Reader = io.MultiReader(bytes.NewReader(head[:n]), f.Reader)
	}
	if err != nil && !errors.Is(err, io.ErrUnexpectedEOF) && !errors.Is(err, io.EOF) {
		return f, fmt.Errorf("openai: reading %s: %w", f.Name, err)
	}
	for _, t := range imageTypes {
		if n >= len(t.magic) && string(head[:len(t.magic)]) == t.magic && (t.typ != "image/webp" || string(head[8:12]) == "WEBP") {
			if f.ContentType == "" {
				f.ContentType = t.typ
			}
			return f, nil
		}
	}
	return f, fmt.Errorf("openai: %w: %s is not a PNG, JPEG or WebP image", ErrInvalidRequest, f.Name)
}

// Edit edits images. The images and mask are streamed from their readers.
func (s *ImagesService) Edit(ctx context.Context, req ImageEditRequest, opts ...RequestOption) (*ImagesResponse, error) {
	if req.Prompt == "" {
		return nil, fmt.Errorf("openai: %w: ImageEditRequest.Prompt is empty", ErrInvalidRequest)
	}
	if len(req.Images) == 0 {
		return nil, fmt.Errorf("openai: %w: ImageEditRequest.Images is empty", ErrInvalidRequest)
	}
	field := "image"
	if len(req.Images) > 1 {
		field = "image[]"
	}
	var files []transport.FilePart
	for _, img := range req.Images {
		part, err := imagePart(field, img)
		if err != nil {
			return nil, err
		}
		files = append(files, part)
	}
	if req.Mask != nil {
		part, err := imagePart("mask", *req.Mask)
		if err != nil {
			return nil, err
		}
		files = append(files, part)
	}
	fields := [][2]string{{"prompt", req.Prompt}}
	fields = addField(fields, "model", req.Model)
	fields = addInt(fields, "n", req.N)
	fields = addField(fields, "size", req.Size)
	fields = addField(fields, "quality", req.Quality)
	fields = addField(fields, "background", req.Background)
	fields = addField(fields, "output_format", req.OutputFormat)
	if req.OutputCompression != nil {
		fields = append(fields, [2]string{"output_compression", strconv.Itoa(*req.OutputCompression)})
	}
	fields = addField(fields, "input_fidelity", req.InputFidelity)
	fields = addField(fields, "response_format", req.ResponseFormat)
	fields = addField(fields, "user", req.User)
	return s.upload(ctx, "images/edits", req.Model, fields, files, opts)
}

// ImageVariationRequest creates variations of one image (dall-e-2).
type ImageVariationRequest struct {
	Image          File
	Model          string
	N              int
	Size           string
	ResponseFormat string
	User           string
}

// Variation creates variations of an image.
func (s *ImagesService) Variation(ctx context.Context, req ImageVariationRequest, opts ...RequestOption) (*ImagesResponse, error) {
	part, err := imagePart("image", req.Image)
	if err != nil {
		return nil, err
	}
	var fields [][2]string
	fields = addField(fields, "model", req.Model)
	fields = addInt(fields, "n", req.N)
	fields = addField(fields, "size", req.Size)
	fields = addField(fields, "response_format", req.ResponseFormat)
	fields = addField(fields, "user", req.User)
	return s.upload(ctx, "images/variations", req.Model, fields, []transport.FilePart{part}, opts)
}

func (s *ImagesService) upload(ctx context.Context, path, model string, fields [][2]string, files []transport.FilePart, opts []RequestOption) (*ImagesResponse, error) {
	form, err := transport.NewMultipart(fields, files)
	if err != nil {
		return nil, fmt.Errorf("openai: %w: %v", ErrInvalidRequest, err)
	}
	out := new(ImagesResponse)
	out.Meta, err = s.c.doJSON(ctx, &call{method: http.MethodPost, path: path, form: form, cost: imageCost(model), opts: opts}, out)
	if err != nil {
		return nil, err
	}
	return out, nil
}

// imagePart checks an image file and makes it the multipart part field,
// its content type sniffed when not given.
func imagePart(field string, f File) (transport.FilePart, error) {
	if err := checkFile(f); err != nil {
		return transport.FilePart{}, err
	}
	f, err := sniffImage(f)
	if err != nil {
		return transport.FilePart{}, err
	}
	return transport.FilePart{Field: field, Filename: f.Name, ContentType: f.ContentType, Reader: f.Reader}, nil
}

// checkFile rejects a file without a reader or a name.
func checkFile(f File) error {
	if f.Reader == nil {
		return fmt.Errorf("openai: %w: file %q has no reader", ErrInvalidRequest, f.Name)
	}
	if f.Name == "" {
		return fmt.Errorf("openai: %w: a file needs a name: its extension tells the API its format", ErrInvalidRequest)
	}
	return nil
}

func addField(fields [][2]string, k, v string) [][2]string {
	if v == "" {
		return fields
	}
	return append(fields, [2]string{k, v})
}

func addInt(fields [][2]string, k string, v int) [][2]string {
	if v == 0 {
		return fields
	}
	return append(fields, [2]string{k, strconv.Itoa(v)})
}
