package openaitest

import (
	"encoding/binary"
	"encoding/json"
	"fmt"
	"io"
	"mime/multipart"
	"net/http"
	"slices"
	"strings"
)

// Transcript is the text the fake returns for every transcription.
const Transcript = "Thanks for calling. I would like to upgrade my running shoes order."

// WAV returns a short valid WAV file: 100 ms of silence, 16-bit mono 8 kHz.
func WAV() []byte {
	const rate, samples = 8000, 800
	data := samples * 2
	b := make([]byte, 44+data)
	copy(b[0:], "RIFF")
	binary.LittleEndian.PutUint32(b[4:], uint32(36+data))
	copy(b[8:], "WAVEfmt ")
	binary.LittleEndian.PutUint32(b[16:], 16)
	binary.LittleEndian.PutUint16(b[20:], 1) // PCM
	binary.LittleEndian.PutUint16(b[22:], 1) // mono
	binary.LittleEndian.PutUint32(b[24:], rate)
	binary.LittleEndian.PutUint32(b[28:], rate*2)
	binary.LittleEndian.PutUint16(b[32:], 2)
	binary.LittleEndian.PutUint16(b[34:], 16)
	copy(b[36:], "data")
	binary.LittleEndian.PutUint32(b[40:], uint32(data))
	return b
}

// mp3 returns a few silent MPEG-1 Layer III frames (128 kbit/s, 44.1 kHz).
func mp3() []byte {
	frame := make([]byte, 417)
	copy(frame, []byte{0xff, 0xfb, 0x90, 0x64})
	var out []byte
	for i := 0; i < 4; i++ {
		out = append(out, frame...)
	}
	return out
}

func (s *Server) speech(w http.ResponseWriter, r *http.Request) {
	var req struct {
		Model, Input, Voice, ResponseFormat string
	}
	var raw map[string]any
	if err := json.NewDecoder(r.Body).Decode(&raw); err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "We could not parse the JSON body of your request.")
		return
	}
	req.Input, _ = raw["input"].(string)
	req.Voice, _ = raw["voice"].(string)
	req.ResponseFormat, _ = raw["response_format"].(string)
	if req.Input == "" || req.Voice == "" {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing required parameter: 'input' or 'voice'.")
		return
	}
	body, ctype := mp3(), "audio/mpeg"
	switch req.ResponseFormat {
	case "wav":
		body, ctype = WAV(), "audio/wav"
	case "pcm":
		body, ctype = WAV()[44:], "audio/pcm"
	}
	w.Header().Set("Content-Type", ctype)
	_, _ = w.Write(body)
}

// eachPart calls f with each part of r's multipart body, until f returns
// false. On a body that is not multipart, or is malformed, it answers 400
// and returns false; it also returns false when f stopped.
func eachPart(w http.ResponseWriter, r *http.Request, f func(*multipart.Part) bool) bool {
	mr, err := r.MultipartReader()
	if err != nil {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "expected a multipart/form-data body: "+err.Error())
		return false
	}
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			return true
		}
		if err != nil {
			writeError(w, http.StatusBadRequest, "invalid_request_error", "", "malformed multipart body: "+err.Error())
			return false
		}
		if !f(p) {
			return false
		}
	}
}

// transcribe serves transcriptions and translations with Transcript.
func (s *Server) transcribe(w http.ResponseWriter, r *http.Request) {
	fields := map[string][]string{}
	var size int64
	hasFile := false
	ok := eachPart(w, r, func(p *multipart.Part) bool {
		if p.FormName() == "file" && p.FileName() != "" {
			hasFile = true
			size, _ = io.Copy(io.Discard, p)
			return true
		}
		b, _ := io.ReadAll(io.LimitReader(p, 1<<20))
		fields[p.FormName()] = append(fields[p.FormName()], string(b))
		return true
	})
	if !ok {
		return
	}
	if !hasFile || size == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing required parameter: 'file'.")
		return
	}
	if len(fields["model"]) == 0 {
		writeError(w, http.StatusBadRequest, "invalid_request_error", "", "Missing required parameter: 'model'.")
		return
	}
	format := ""
	if f := fields["response_format"]; len(f) > 0 {
		format = f[0]
	}
	words := strings.Fields(Transcript)
	duration := float64(len(words)) * 0.4
	switch format {
	case "text":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintln(w, Transcript)
	case "srt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "1\n00:00:00,000 --> 00:00:%02d,%03d\n%s\n\n", int(duration), int(duration*1000)%1000, Transcript)
	case "vtt":
		w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		fmt.Fprintf(w, "WEBVTT\n\n00:00:00.000 --> 00:00:%02d.%03d\n%s\n\n", int(duration), int(duration*1000)%1000, Transcript)
	case "verbose_json":
		out := map[string]any{"task": "transcribe", "language": "english", "duration": duration, "text": Transcript}
		if slices.Contains(fields["timestamp_granularities[]"], "word") {
			list := make([]map[string]any, len(words))
			for i, wd := range words {
				list[i] = map[string]any{"word": strings.Trim(wd, ".,"), "start": float64(i) * 0.4, "end": float64(i+1) * 0.4}
			}
			out["words"] = list
		}
		out["segments"] = []map[string]any{{"id": 0, "seek": 0, "start": 0.0, "end": duration, "text": Transcript,
			"tokens": []int{1, 2, 3}, "temperature": 0.0, "avg_logprob": -0.2, "compression_ratio": 1.1, "no_speech_prob": 0.01}}
		writeJSON(w, http.StatusOK, out)
	default:
		writeJSON(w, http.StatusOK, map[string]any{"text": Transcript,
			"usage": map[string]any{"type": "tokens", "input_tokens": int(size / 1000), "output_tokens": len(words), "total_tokens": int(size/1000) + len(words)}})
	}
}
